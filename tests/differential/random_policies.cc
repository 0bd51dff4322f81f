// SPDX-License-Identifier: Apache-2.0
#include "tests/differential/random_policies.h"

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>

#include "syscalls/syscalls.h"
#include "tests/differential/libseccomp_filter.h"

namespace sysfence::differential {
namespace {

using policy::CompareOp;
using policy::Condition;

constexpr std::array<uint64_t, 14> kBoundaries = {0,          1,          2,           0x7fffffffu,
                                                  0x80000000u, 0xfffffffeu, 0xffffffffu, uint64_t{1} << 32,
                                                  (uint64_t{1} << 32) + 1,   uint64_t{1} << 63, ~uint64_t{0},
                                                  ~uint64_t{0} - 1,          0xffffffff80000000ull,
                                                  0x0000000500000007ull};

// Syscalls libseccomp rewrites on some ABIs (socketcall and ipc multiplexing): not comparable.
constexpr std::array<std::string_view, 36> kMultiplexed = {
    "accept",   "accept4",  "bind",      "connect",    "getpeername", "getsockname", "getsockopt", "listen",
    "recv",     "recvfrom", "recvmsg",   "recvmmsg",   "send",        "sendmsg",     "sendmmsg",   "sendto",
    "setsockopt", "shutdown", "socket",  "socketpair", "socketcall",  "ipc",         "semop",      "semget",
    "semctl",   "semtimedop", "msgsnd",  "msgrcv",     "msgget",      "msgctl",      "shmat",      "shmdt",
    "shmget",   "shmctl",   "recvmmsg_time64", "semtimedop_time64"};

// Syscalls whose arguments mix widths (32-bit ints, 64-bit longs and pointers).
constexpr std::array<std::string_view, 16> kFavourites = {
    "ioctl", "mmap", "mprotect", "read", "write", "openat", "lseek", "prctl",
    "personality", "kill", "fcntl", "futex", "clone", "madvise", "pread64", "exit_group"};

const std::vector<Arch> kModelArches = {Arch::kX86_64, Arch::kX86, Arch::kX32, Arch::kAarch64, Arch::kArm,
                                        Arch::kRiscv64, Arch::kS390x};
const std::vector<Arch> kLibseccompArches = {Arch::kX86_64, Arch::kX86, Arch::kX32, Arch::kAarch64};

// libseccomp compares only the low halves on 32-bit ABIs and on x32 (ARCH_SIZE_32 there).
bool LibseccompArgumentsAre32Bit(Arch arch) { return !GetArchInfo(arch).is_64bit || arch == Arch::kX32; }

class Random {
 public:
  explicit Random(std::mt19937_64& rng) : rng_(rng) {}
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
  bool Chance(size_t one_in) { return Below(one_in) == 0; }
  uint64_t Bits() { return rng_(); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

 private:
  std::mt19937_64& rng_;
};

// Every action both judges know: the model takes trap and trace with any data; libseccomp takes
// SCMP_ACT_TRAP without data only (it refuses trap(n) with EINVAL), and SCMP_ACT_NOTIFY, here in
// rules only: libseccomp 2.5.4 accepts notify as the badarch action, but with it a following
// seccomp_rule_add never returned (libseccomp_test's seed 4242, policy 6013, `badarch notify`,
// `trap timerfd_create if arg4 == 0x80000000`).
Action RandomAction(Random& r, bool libseccomp, bool notify = true) {
  switch (r.Below(notify ? 9 : 8)) {
    case 0: return Action::Allow();
    case 1: return Action::Log();
    case 2: return Action::Errno(static_cast<uint16_t>(1 + r.Below(4095)));
    case 3: return Action::Errno(static_cast<uint16_t>(1 + r.Below(3)));
    case 4: return Action::KillProcess();
    case 5: return Action::KillThread();
    case 6: return Action::Trace(static_cast<uint16_t>(r.Below(3) * 1000));
    case 7: return Action::Trap(libseccomp ? 0 : static_cast<uint16_t>(r.Below(2) * 7));
    default: return Action::Notify();
  }
}

std::vector<Arch> RandomArches(Random& r, const std::vector<Arch>& pool) {
  std::vector<Arch> arches;
  for (Arch arch : pool) {
    if (r.Chance(3)) arches.push_back(arch);
  }
  if (arches.empty() || r.Chance(3)) {
    arches.insert(arches.begin(), Arch::kX86_64);
    arches.erase(std::unique(arches.begin(), arches.end()), arches.end());
  }
  if (r.Chance(4)) std::reverse(arches.begin(), arches.end());
  return arches;
}

uint64_t RandomValue(Random& r, bool fit32) {
  uint64_t v;
  switch (r.Below(4)) {
    case 0: v = r.Bits(); break;
    case 1: v = r.Bits() & 0xffff; break;
    default: v = kBoundaries[r.Below(kBoundaries.size())]; break;
  }
  if (fit32 && policy::EffectiveValue(v, 32) > 0xffffffffu) v &= 0xffffffffu;
  return v;
}

uint64_t RandomMask(Random& r, bool fit32) {
  const uint64_t masks[] = {0x1, 0x10, 0xf0, 0x7e020000, 0xffffffffu, 0xffffffff00000000ull, 0x100000001ull,
                            ~uint64_t{0}, 0x8000000000000000ull, 0x80000000u};
  uint64_t m = r.Chance(3) ? r.Bits() : masks[r.Below(std::size(masks))];
  if (fit32) m &= 0xffffffffu;
  return m;
}

policy::Comparison RandomComparison(Random& r, int arg, bool fit32, bool libseccomp) {
  policy::Comparison c;
  c.arg = arg;
  c.op = static_cast<CompareOp>(r.Below(7));
  c.value = RandomValue(r, fit32);
  if (c.op == CompareOp::kMaskedEq) {
    c.mask = RandomMask(r, fit32);
    // Usually a value the mask can produce, sometimes one it cannot.
    // libseccomp masks the value too, so it only agrees on producible values.
    if (libseccomp || !r.Chance(5)) c.value &= c.mask;
  }
  return c;
}

Condition Leaf(const policy::Comparison& c) {
  Condition leaf;
  leaf.compare = c;
  return leaf;
}

void LowWordsOnly(Condition& c) {
  for (Condition& child : c.children) LowWordsOnly(child);
  c.compare.value &= 0xffffffffu;
  c.compare.mask &= 0xffffffffu;
}

Condition RandomCondition(Random& r, int depth) {
  if (depth == 0 || r.Chance(2)) return Leaf(RandomComparison(r, static_cast<int>(r.Below(6)), false, false));
  Condition c;
  switch (r.Below(3)) {
    case 0: c.kind = Condition::Kind::kAnd; break;
    case 1: c.kind = Condition::Kind::kOr; break;
    default:
      c.kind = Condition::Kind::kNot;
      c.children.push_back(RandomCondition(r, depth - 1));
      return c;
  }
  const size_t n = 2 + r.Below(3);
  for (size_t i = 0; i < n; ++i) c.children.push_back(RandomCondition(r, depth - 1));
  return c;
}

// Names some comparisons of a clone rule by argument name: clone's flags, stack and tls sit at other
// positions on s390x (flags second) and on x86, arm, riscv64 and ppc64le (tls fourth), so every
// judge must resolve them per ABI.
void NameCloneArguments(Random& r, Condition& c) {
  for (Condition& child : c.children) NameCloneArguments(r, child);
  if (c.kind != Condition::Kind::kCompare || !r.Chance(2)) return;
  static constexpr std::string_view kNames[] = {"clone_flags", "newsp", "tls"};
  c.compare.arg = policy::kNamedArgument;
  c.compare.arg_name = std::string(kNames[r.Below(std::size(kNames))]);
}

std::string RandomSyscall(Random& r, const std::vector<Arch>& arches, bool libseccomp) {
  for (;;) {
    std::string_view name;
    if (r.Chance(2)) {
      name = kFavourites[r.Below(kFavourites.size())];
    } else {
      const auto table = syscalls::AllOf(r.Pick(arches));
      name = table[r.Below(table.size())].name;
    }
    if (libseccomp && std::find(kMultiplexed.begin(), kMultiplexed.end(), name) != kMultiplexed.end()) continue;
    if (libseccomp && !LibseccompAgreesOnSyscall(name, arches)) continue;
    return std::string(name);
  }
}

}  // namespace

policy::Policy RandomModelPolicy(std::mt19937_64& rng) {
  Random r(rng);
  policy::Policy p;
  p.arches = RandomArches(r, kModelArches);
  p.default_action = RandomAction(r, false);
  p.badarch_action = RandomAction(r, false);
  const size_t rules = r.Below(10);
  for (size_t i = 0; i < rules; ++i) {
    policy::Rule rule;
    rule.action = RandomAction(r, false);
    const size_t targets = 1 + r.Below(3);
    for (size_t t = 0; t < targets; ++t) {
      if (r.Chance(12)) {
        const auto groups = syscalls::AllGroups();
        rule.targets.emplace_back(groups[r.Below(groups.size())].name);
      } else {
        rule.targets.push_back(RandomSyscall(r, p.arches, false));
      }
    }
    if (!r.Chance(3)) rule.condition = RandomCondition(r, 3);
    if (rule.condition && r.Chance(8)) {
      rule.targets = {"clone"};
      NameCloneArguments(r, *rule.condition);
    }
    if (r.Chance(6)) rule.only_arches = {r.Pick(p.arches)};
    p.rules.push_back(std::move(rule));
  }
  return p;
}

policy::Policy RandomLibseccompPolicy(std::mt19937_64& rng) {
  Random r(rng);
  policy::Policy p;
  p.arches = RandomArches(r, kLibseccompArches);
  const bool fit32 = std::any_of(p.arches.begin(), p.arches.end(), LibseccompArgumentsAre32Bit);
  p.default_action = RandomAction(r, true, false);
  p.badarch_action = RandomAction(r, true, false);
  // libseccomp has no `unknown` answer: numbers past the table get its default, as here.
  p.unknown_follows_default = true;
  auto other_action = [&](Action not_this) {
    Action a = RandomAction(r, true);
    while (a == p.default_action || a == not_this) a = RandomAction(r, true);
    return a;
  };
  std::set<std::string> used;
  const size_t syscalls_named = r.Below(12);
  for (size_t s = 0; s < syscalls_named; ++s) {
    const std::string name = RandomSyscall(r, p.arches, true);
    if (!used.insert(name).second) continue;
    std::vector<Arch> only;
    if (r.Chance(8)) only = {r.Pick(p.arches)};
    switch (r.Below(3)) {
      case 0: {  // unconditional
        policy::Rule rule;
        rule.action = other_action(p.default_action);
        rule.targets = {name};
        rule.only_arches = only;
        p.rules.push_back(rule);
        break;
      }
      case 1: {  // one action, OR of conjunctions
        const Action action = other_action(p.default_action);
        // Small: libseccomp's rule database grows exponentially with OR-ed 64-bit chains.
        const size_t n = 1 + r.Below(2);
        for (size_t i = 0; i < n; ++i) {
          policy::Rule rule;
          rule.action = action;
          rule.targets = {name};
          rule.only_arches = only;
          std::vector<int> args = {0, 1, 2, 3, 4, 5};
          std::shuffle(args.begin(), args.end(), rng);
          const size_t k = 1 + r.Below(2);
          Condition all;
          all.kind = Condition::Kind::kAnd;
          for (size_t a = 0; a < k; ++a) all.children.push_back(Leaf(RandomComparison(r, args[a], fit32, true)));
          rule.condition = k == 1 ? all.children[0] : all;
          p.rules.push_back(rule);
        }
        break;
      }
      default: {  // disjoint equalities with different actions
        const int arg = static_cast<int>(r.Below(6));
        std::set<uint32_t> low_words;
        const size_t n = 1 + r.Below(3);
        Action previous = p.default_action;
        for (size_t i = 0; i < n; ++i) {
          uint64_t v = RandomValue(r, true) & 0xffffffffu;
          if (!low_words.insert(static_cast<uint32_t>(v)).second) continue;
          policy::Rule rule;
          rule.action = other_action(previous);
          previous = rule.action;
          rule.targets = {name};
          rule.only_arches = only;
          rule.condition = Leaf({arg, CompareOp::kEq, v});
          p.rules.push_back(rule);
        }
        break;
      }
    }
  }
  if (std::find(p.arches.begin(), p.arches.end(), Arch::kX32) != p.arches.end()) {
    // On x32 sysfence compares long arguments on all 64 bits and libseccomp only the low half
    // (docs/libseccomp-differences.md): a sign-extended negative (0xffffffff80000000) means
    // different things to the two, so with x32 every constant fits 32 bits unsigned.
    for (policy::Rule& rule : p.rules) {
      if (rule.condition) LowWordsOnly(*rule.condition);
    }
  }
  return p;
}

std::vector<SeccompData> RandomInputs(const policy::Policy& policy, std::mt19937_64& rng, size_t count,
                                           bool zero_high_halves_of_narrow_args) {
  Random r(rng);
  // Names the policy mentions (groups expanded lazily: a few members are enough).
  std::vector<std::string_view> names;
  std::vector<uint64_t> constants;
  for (const policy::Rule& rule : policy.rules) {
    for (const std::string& target : rule.targets) {
      if (!target.starts_with('@')) {
        names.push_back(target);
      } else if (const syscalls::Group* group = syscalls::FindGroup(target)) {
        const auto members = syscalls::ExpandGroup(*group);
        for (size_t i = 0; i < 3 && !members.empty(); ++i) names.push_back(members[r.Below(members.size())]);
      }
    }
    std::vector<const Condition*> stack;
    if (rule.condition) stack.push_back(&*rule.condition);
    while (!stack.empty()) {
      const Condition* c = stack.back();
      stack.pop_back();
      if (c->kind == Condition::Kind::kCompare) {
        constants.push_back(c->compare.value);
        constants.push_back(c->compare.value & c->compare.mask);
      }
      for (const Condition& child : c->children) stack.push_back(&child);
    }
  }
  const std::vector<Arch> all(AllArches().begin(), AllArches().end());
  std::vector<SeccompData> inputs;
  inputs.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const Arch arch = r.Chance(7) ? r.Pick(all) : r.Pick(policy.arches);
    SeccompData d;
    d.arch = GetArchInfo(arch).audit_arch;
    std::string_view name;
    uint32_t nr = 0;
    const size_t kind = r.Below(20);
    if (kind < 12 && !names.empty()) {
      name = r.Pick(names);
      auto n = syscalls::NumberOf(arch, name);
      if (!n) n = syscalls::NumberOf(Arch::kX86_64, name);
      nr = n.value_or(0);
    } else if (kind < 16) {
      const auto table = syscalls::AllOf(arch);
      name = table[r.Below(table.size())].name;
      nr = *syscalls::NumberOf(arch, name);
    } else if (kind < 18) {
      const auto table = syscalls::AllOf(Arch::kX32);
      name = table[r.Below(table.size())].name;
      nr = r.Chance(2) ? *syscalls::NumberOf(Arch::kX32, name) : (kX32SyscallBit | r.Below(600));
    } else {
      const uint32_t odd[] = {0, 0xffffffffu, 0x3fffffffu, 0x40000000u, 0x7fffffffu, 0x80000000u, 0xc0000000u,
                              1024, 600};
      nr = r.Chance(2) ? static_cast<uint32_t>(r.Bits()) : odd[r.Below(std::size(odd))];
    }
    d.nr = static_cast<int32_t>(nr);
    const auto real_arch = ArchOfSyscall(d.arch, nr).value_or(arch);
    const auto real_name = syscalls::NameOf(real_arch, nr);
    for (int a = 0; a < 6; ++a) {
      uint64_t v;
      switch (r.Below(6)) {
        case 0: v = r.Bits(); break;
        case 1:
        case 2: v = kBoundaries[r.Below(kBoundaries.size())]; break;
        default:
          if (constants.empty()) {
            v = r.Below(4);
          } else {
            v = constants[r.Below(constants.size())];
            if (r.Chance(3)) v += r.Chance(2) ? 1 : ~uint64_t{0};
            if (r.Chance(4)) v ^= r.Bits() & 0xffffffff00000000ull;  // garbage in the high half
          }
      }
      if (zero_high_halves_of_narrow_args) {
        const int width = real_name ? syscalls::ArgWidthBits(real_arch, *real_name, a) : 64;
        if (width < 64) v &= policy::WidthMask(width);  // 16-bit arguments: zero above bit 15 too
        if (LibseccompArgumentsAre32Bit(real_arch)) v &= 0xffffffffu;
      }
      d.args[a] = v;
    }
    inputs.push_back(d);
  }
  return inputs;
}

std::string DescribeInput(const SeccompData& d) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "arch 0x%x nr 0x%x args %llx %llx %llx %llx %llx %llx", d.arch,
                static_cast<uint32_t>(d.nr), static_cast<unsigned long long>(d.args[0]),
                static_cast<unsigned long long>(d.args[1]), static_cast<unsigned long long>(d.args[2]),
                static_cast<unsigned long long>(d.args[3]), static_cast<unsigned long long>(d.args[4]),
                static_cast<unsigned long long>(d.args[5]));
  return buf;
}

}  // namespace sysfence::differential
