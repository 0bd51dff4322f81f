// SPDX-License-Identifier: Apache-2.0
#include "tests/support/random_policy.h"

#include <algorithm>
#include <random>
#include <string>

#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

constexpr uint64_t kValues64[] = {0,          1,          2,          0xfff,      0x7fffffff, 0x80000000,
                                  0xffffffff, 1ull << 32, 1ull << 63, ~0ull,      ~0ull - 1,  0xffffffff80000000ull,
                                  0x100000001ull};
constexpr uint64_t kValues32[] = {0, 1, 2, 0xfff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe,
                                  ~0ull, 0xffffffff80000000ull, 0xfffffffffffffff0ull};

class Generator {
 public:
  Generator(uint64_t seed, const RandomPolicyOptions& options) : random_(seed), options_(options) {}

  Policy Run() {
    Policy policy;
    for (Arch arch : options_.arches) {
      if (Chance(2)) policy.arches.push_back(arch);
    }
    if (policy.arches.empty()) policy.arches.push_back(options_.arches[Below(options_.arches.size())]);
    policy.default_action = RandomAction();
    policy.badarch_action = RandomAction();
    if (options_.comments && Chance(4)) policy.comment = "generated policy\nseed-based";
    const size_t rules = Below(options_.max_rules + 1);
    for (size_t i = 0; i < rules; ++i) policy.rules.push_back(RandomRule(policy));
    if (options_.fs_and_net) {
      const size_t fs_rules = Below(3);
      for (size_t i = 0; i < fs_rules; ++i) policy.fs_rules.push_back(RandomFs());
      const size_t net_rules = Below(4);
      for (size_t i = 0; i < net_rules; ++i) {
        NetRule rule;
        rule.kind = Chance(2) ? NetRule::Kind::kBind : NetRule::Kind::kConnect;
        rule.port = static_cast<uint16_t>(Below(65536));
        if (options_.comments && Chance(5)) rule.comment = "port " + std::to_string(rule.port);
        policy.net_rules.push_back(rule);
      }
    }
    return policy;
  }

 private:
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(random_() % n); }
  bool Chance(size_t one_in) { return Below(one_in) == 0; }

  Action RandomAction() {
    switch (Below(9)) {
      case 0: return Action::Allow();
      case 1: return Action::Log();
      case 2: return Action::Errno(static_cast<uint16_t>(1 + Below(4095)));
      case 3: return Action::Errno(Chance(2) ? 1 : 38);
      case 4: return Action::KillProcess();
      case 5: return Action::KillThread();
      case 6: return Action::Trap(static_cast<uint16_t>(Chance(2) ? 0 : Below(65536)));
      case 7: return Action::Notify();
      default: return Action::Trace(static_cast<uint16_t>(Chance(2) ? 0 : Below(65536)));
    }
  }

  const std::vector<std::string_view>& Names() {
    if (names_.empty()) {
      for (std::string_view name : syscalls::AllNames()) names_.push_back(name);
    }
    return names_;
  }

  Rule RandomRule(const Policy& policy) {
    Rule rule;
    rule.action = RandomAction();
    if (options_.only_arches && policy.arches.size() > 1 && Chance(4)) {
      for (Arch arch : policy.arches) {
        if (Chance(2)) rule.only_arches.push_back(arch);
      }
    }
    const size_t targets = 1 + Below(options_.max_targets);
    for (size_t i = 0; i < targets; ++i) {
      if (options_.groups && Chance(8) && !syscalls::AllGroups().empty()) {
        const auto groups = syscalls::AllGroups();
        rule.targets.emplace_back(groups[Below(groups.size())].name);
      } else {
        rule.targets.emplace_back(Names()[Below(Names().size())]);
      }
    }
    if (options_.comments && Chance(5)) rule.comment = Chance(2) ? "why: seen 3 times" : "first line\n\nthird line";
    if (Chance(3)) return rule;
    // Conditions only on arguments every target has as a scalar, on each of the rule's ABIs.
    const std::vector<std::string> syscalls = ExpandTargets(rule);
    const std::vector<Arch> arches = RuleArches(policy, rule);
    std::vector<int> usable;
    for (int index = 0; index <= kMaxArgIndex; ++index) {
      bool ok = !syscalls.empty();
      for (const std::string& name : syscalls) {
        const auto args = syscalls::ArgsOf(name);
        if (static_cast<size_t>(index) >= args.size() || args[static_cast<size_t>(index)].kind == syscalls::ArgKind::kPointer) {
          ok = false;
          break;
        }
      }
      Comparison at;
      at.arg = index;
      if (ok && !CheckArgumentUseOn(at, syscalls, arches)) usable.push_back(index);
    }
    if (usable.empty()) return rule;
    rule.condition = RandomCondition(0, usable, arches, syscalls);
    return rule;
  }

  uint64_t RandomValue(int width) {
    if (Chance(4)) return width < 64 ? (random_() & WidthMask(width)) : random_();
    if (width < 64) {
      const uint64_t value = kValues32[Below(std::size(kValues32))];
      return FitsArgumentWidth(value, width) ? value : value & WidthMask(width);
    }
    return kValues64[Below(std::size(kValues64))];
  }

  Condition RandomCondition(int depth, const std::vector<int>& usable, const std::vector<Arch>& arches,
                            const std::vector<std::string>& syscalls) {
    const size_t kind = depth >= options_.max_condition_depth ? 0 : Below(6);
    Condition condition;
    if (kind <= 2) {
      const int arg = usable[Below(usable.size())];
      const int width = ArgumentWidth(arches, syscalls, arg);
      condition.compare.arg = arg;
      condition.compare.op = static_cast<CompareOp>(Below(7));
      condition.compare.value = RandomValue(width);
      if (condition.compare.op == CompareOp::kMaskedEq) {
        condition.compare.mask = RandomValue(width);
        if (Chance(2)) condition.compare.value &= condition.compare.mask;
      }
      return condition;
    }
    if (kind == 3) {
      condition.kind = Condition::Kind::kNot;
      condition.children.push_back(RandomCondition(depth + 1, usable, arches, syscalls));
      return condition;
    }
    condition.kind = kind == 4 ? Condition::Kind::kAnd : Condition::Kind::kOr;
    const size_t children = 2 + Below(3);
    for (size_t i = 0; i < children; ++i) {
      condition.children.push_back(RandomCondition(depth + 1, usable, arches, syscalls));
    }
    return condition;
  }

  FsRule RandomFs() {
    FsRule rule;
    while (rule.access == 0) rule.access = static_cast<uint32_t>(random_()) & kFsAllAccess;
    static constexpr const char* kPaths[] = {"/etc", "/usr/lib", "/tmp/with space", "/var/#hash", "/q\"uote",
                                             "/back\\slash", "/"};
    const size_t paths = 1 + Below(3);
    for (size_t i = 0; i < paths; ++i) rule.paths.emplace_back(kPaths[Below(std::size(kPaths))]);
    return rule;
  }

  std::mt19937_64 random_;
  const RandomPolicyOptions& options_;
  std::vector<std::string_view> names_;
};

}  // namespace

Policy RandomPolicy(uint64_t seed, const RandomPolicyOptions& options) { return Generator(seed, options).Run(); }

}  // namespace sysfence::policy
