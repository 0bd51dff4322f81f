// SPDX-License-Identifier: Apache-2.0
#include "policy/lint_bypass.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "policy/arguments.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

// How a door's arguments relate to its primary's.
enum class DoorKind : uint8_t {
  kStruct,    // the arguments sit in a struct in memory: the door can only be refused
  kSameArgs,  // the same arguments by name: the door can be given the same condition
  kWholeCall  // nothing to compare: the door needs the primary's rule
};

// A second syscall doing what `primary` does.
struct Twin {
  std::string_view primary;
  std::string_view door;
  DoorKind kind;
  bool deny_restricts;  // an unconditional denial of `primary` is a restriction too
  std::string_view why;
};

constexpr Twin kTwins[] = {
    {"open", "openat2", DoorKind::kStruct, false, "openat2 passes its flags in a struct a filter cannot read"},
    {"openat", "openat2", DoorKind::kStruct, false, "openat2 passes its flags in a struct a filter cannot read"},
    {"open", "openat", DoorKind::kSameArgs, false, "openat opens files as open does"},
    {"openat", "open", DoorKind::kSameArgs, false, "open opens files as openat does"},
    {"mprotect", "pkey_mprotect", DoorKind::kSameArgs, false, "pkey_mprotect changes protections as mprotect does"},
    {"mmap", "mmap2", DoorKind::kSameArgs, false, "mmap2 maps memory as mmap does"},
    {"execve", "execveat", DoorKind::kWholeCall, true, "execveat runs programs as execve does"},
    {"clone", "clone3", DoorKind::kStruct, false, "clone3 passes its flags in a struct a filter cannot read"},
};

// An operation a multiplexer performs for `primary` when its selector (arg0) is `op`.
struct MuxOp {
  std::string_view primary;
  uint32_t op;
};

// socketcall(call, args): include/uapi/linux/net.h SYS_*; SYS_SEND and SYS_RECV are sendto and
// recvfrom without an address.
constexpr MuxOp kSocketcallOps[] = {
    {"socket", 1},       {"bind", 2},         {"connect", 3},      {"listen", 4},       {"accept", 5},
    {"getsockname", 6},  {"getpeername", 7},  {"socketpair", 8},   {"sendto", 9},       {"recvfrom", 10},
    {"sendto", 11},      {"recvfrom", 12},    {"shutdown", 13},    {"setsockopt", 14},  {"getsockopt", 15},
    {"sendmsg", 16},     {"recvmsg", 17},     {"accept4", 18},     {"recvmmsg", 19},    {"sendmmsg", 20},
};

// ipc(call, ...): include/linux/ipc.h; the kernel looks at call & 0xffff only.
constexpr MuxOp kIpcOps[] = {
    {"semop", 1},   {"semget", 2},  {"semctl", 3},  {"semtimedop", 4}, {"msgsnd", 11}, {"msgrcv", 12},
    {"msgget", 13}, {"msgctl", 14}, {"shmat", 21},  {"shmdt", 22},     {"shmget", 23}, {"shmctl", 24},
};

// Syscalls whose `prot` READ_IMPLIES_EXEC widens: PROT_READ then also means PROT_EXEC.
constexpr std::string_view kProtSyscalls[] = {"mmap", "mmap2", "mprotect", "pkey_mprotect"};
constexpr uint64_t kReadImpliesExec = 0x0400000;

enum class Truth : uint8_t { kNo, kYes, kMaybe };

// Argument values a question fixes; unset ones may be anything.
using ArgValues = std::array<std::optional<uint64_t>, 6>;

Truth Holds(const Condition& condition, Arch arch, std::string_view name, const ArgValues& args) {
  switch (condition.kind) {
    case Condition::Kind::kCompare: {
      const Comparison& compare = condition.compare;
      const std::optional<int> arg = ArgumentPositionOn(compare, arch, name);  // per ABI
      if (!arg || *arg < 0 || *arg >= 6 || !args[*arg]) return Truth::kMaybe;
      const int width = syscalls::ArgWidthBits(arch, name, *arg);
      return ComparisonHolds(compare, *args[*arg], width) ? Truth::kYes : Truth::kNo;
    }
    case Condition::Kind::kNot: {
      const Truth inner = Holds(condition.children.front(), arch, name, args);
      return inner == Truth::kMaybe ? inner : inner == Truth::kYes ? Truth::kNo : Truth::kYes;
    }
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      const bool is_and = condition.kind == Condition::Kind::kAnd;
      const Truth decisive = is_and ? Truth::kNo : Truth::kYes;
      bool maybe = false;
      for (const Condition& child : condition.children) {
        const Truth truth = Holds(child, arch, name, args);
        if (truth == decisive) return decisive;
        maybe = maybe || truth == Truth::kMaybe;
      }
      return maybe ? Truth::kMaybe : (is_and ? Truth::kYes : Truth::kNo);
    }
  }
  return Truth::kMaybe;
}

// Names of the arguments `condition` compares (argN where the signature has no name).
void ComparedArgs(const Condition& condition, Arch arch, std::string_view name, std::set<std::string>& out) {
  if (condition.kind == Condition::Kind::kCompare) {
    const auto args = syscalls::ArgsOfOn(arch, name);
    const std::optional<int> position = ArgumentPositionOn(condition.compare, arch, name);  // per ABI
    if (!position || *position < 0) {
      out.insert(condition.compare.arg_name);
      return;
    }
    const auto index = static_cast<size_t>(*position);
    out.insert(index < args.size() ? std::string(args[index].name) : "arg" + std::to_string(index));
    return;
  }
  for (const Condition& child : condition.children) ComparedArgs(child, arch, name, out);
}

// A rule that restricts a primary syscall, and what its condition compares.
struct Restriction {
  int rule = -1;
  Arch arch = Arch::kX86_64;
  std::set<std::string> compared;
};

// Where a door lets calls through: a rule index, or -1 for the default.
struct Opening {
  int rule = -1;
  Arch arch = Arch::kX86_64;
};

class BypassLinter {
 public:
  BypassLinter(const Policy& policy, Diagnostics& diagnostics) : policy_(policy), diagnostics_(diagnostics) {
    for (const Rule& rule : policy.rules) expanded_.push_back(ExpandTargets(rule));
  }

  void Run() {
    for (const Twin& twin : kTwins) LintTwin(twin);
    LintMultiplexer("socketcall", kSocketcallOps, 0xffffffffu);
    LintMultiplexer("ipc", kIpcOps, 0xffffu);
    LintPersonality();
    LintCloneFallback();
    Emit();
  }

 private:
  // One warning: `primaries` restricted by `rule` get around it through `door`.
  struct Finding {
    std::vector<std::string> primaries;
    std::string message_tail;  // after "<primaries> <is|are> restricted by this rule, but "
    std::string hint;
    std::vector<uint32_t> ops;  // a multiplexer's operations, listed in the message
  };

  bool Names(size_t rule, std::string_view name) const {
    return std::binary_search(expanded_[rule].begin(), expanded_[rule].end(), name);
  }
  bool Exists(Arch arch, std::string_view name) const { return syscalls::NumberOf(arch, name).has_value(); }

  std::string Where(const Opening& opening) const {
    std::string where = opening.rule < 0 ? "by the default"
                                         : "by the rule at " + policy_.rules[static_cast<size_t>(opening.rule)].span.ToString();
    if (policy_.arches.size() > 1) where += " on " + std::string(ArchName(opening.arch));
    return where;
  }
  // "before the rule at X, which lets it through" when a rule opens the door, "" for the default.
  std::string Before(const Opening& opening) const {
    if (opening.rule < 0) return "";
    return " before the rule at " + policy_.rules[static_cast<size_t>(opening.rule)].span.ToString() +
           ", which lets it through";
  }

  // The first reachable rule restricting `name` on any ABI: one with a condition (comparing one of
  // `args`, when given) or, with `deny_restricts`, one denying it unconditionally; only when some
  // call of `name` is then denied.
  std::optional<Restriction> Restricting(std::string_view name, bool deny_restricts,
                                         const std::set<std::string_view>& args = {}) const {
    std::optional<Restriction> best;
    for (Arch arch : policy_.arches) {
      if (!Exists(arch, name)) continue;
      std::optional<Restriction> found;
      bool denies = false;
      bool decided = false;
      for (size_t i = 0; i < policy_.rules.size() && !decided; ++i) {
        const Rule& rule = policy_.rules[i];
        if (!RuleAppliesToArch(rule, arch) || !Names(i, name)) continue;
        const bool permits = rule.action.Permits();
        if (!rule.condition) {
          decided = true;
          if (!permits) denies = true;
          if (!permits && deny_restricts && !found) found = Restriction{static_cast<int>(i), arch, {}};
          continue;
        }
        if (!permits) denies = true;
        if (found) continue;
        std::set<std::string> compared;
        ComparedArgs(*rule.condition, arch, name, compared);
        const bool relevant = args.empty() || std::any_of(compared.begin(), compared.end(), [&](const std::string& a) {
                                return args.count(a) != 0;
                              });
        if (relevant) found = Restriction{static_cast<int>(i), arch, std::move(compared)};
      }
      if (!decided && !policy_.default_action.Permits()) denies = true;
      if (found && denies && (!best || found->rule < best->rule)) best = std::move(found);
    }
    return best;
  }

  // The first rule (or the default, -1) that may let `name` of `arch` through with `values`;
  // with `unchecked`, rules whose condition compares one of those argument names do not count
  // as letting it through. nullopt: nothing gets through.
  std::optional<int> FirstPermit(Arch arch, std::string_view name, const ArgValues& values,
                                 const std::set<std::string>* unchecked = nullptr) const {
    if (!Exists(arch, name)) return std::nullopt;
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      const Rule& rule = policy_.rules[i];
      if (!RuleAppliesToArch(rule, arch) || !Names(i, name)) continue;
      const Truth truth = rule.condition ? Holds(*rule.condition, arch, name, values) : Truth::kYes;
      if (truth == Truth::kNo) continue;
      if (rule.action.Permits()) {
        if (unchecked != nullptr && rule.condition) {
          std::set<std::string> compared;
          ComparedArgs(*rule.condition, arch, name, compared);
          if (std::any_of(compared.begin(), compared.end(), [&](const std::string& a) { return unchecked->count(a); })) {
            continue;
          }
        }
        return static_cast<int>(i);
      }
      if (truth == Truth::kYes) return std::nullopt;
    }
    if (policy_.default_action.Permits()) return -1;
    return std::nullopt;
  }

  // Where `name` may be let through on some ABI of the policy with one of `candidates` as `values`.
  std::optional<Opening> DoorOpen(std::string_view name, const std::vector<ArgValues>& candidates,
                                  const std::set<std::string>* unchecked = nullptr) const {
    for (Arch arch : policy_.arches) {
      for (const ArgValues& values : candidates) {
        if (auto rule = FirstPermit(arch, name, values, unchecked)) return Opening{*rule, arch};
      }
    }
    return std::nullopt;
  }

  Finding& Add(const Restriction& restriction, std::string_view door, std::string_view primary, std::string tail,
               std::string hint) {
    Finding& finding = findings_[{restriction.rule, std::string(door)}];
    if (std::find(finding.primaries.begin(), finding.primaries.end(), primary) == finding.primaries.end()) {
      finding.primaries.emplace_back(primary);
    }
    if (finding.message_tail.empty()) {
      finding.message_tail = std::move(tail);
      finding.hint = std::move(hint);
    }
    return finding;
  }

  void LintTwin(const Twin& twin) {
    const std::optional<Restriction> restriction = Restricting(twin.primary, twin.deny_restricts);
    if (!restriction) return;
    const bool same_args = twin.kind == DoorKind::kSameArgs;
    const std::optional<Opening> open =
        DoorOpen(twin.door, {ArgValues{}}, same_args ? &restriction->compared : nullptr);
    if (!open) return;
    const std::string door(twin.door);
    std::string tail = door + " is allowed (" + Where(*open) + "): " + std::string(twin.why);
    std::string hint;
    switch (twin.kind) {
      case DoorKind::kStruct:
        hint = "add 'errno ENOSYS " + door + "'" + Before(*open) + ", so the C library falls back to " +
               std::string(twin.primary);
        break;
      case DoorKind::kSameArgs: {
        std::string args;
        for (const std::string& arg : restriction->compared) args += (args.empty() ? "" : ", ") + arg;
        tail += ", without a condition on " + args;
        hint = "give " + door + " the same condition on " + args + ", or deny it";
        break;
      }
      case DoorKind::kWholeCall:
        hint = "give " + door + " the rule " + std::string(twin.primary) + " has" + Before(*open);
        break;
    }
    Add(*restriction, twin.door, twin.primary, std::move(tail), std::move(hint));
  }

  template <size_t N>
  void LintMultiplexer(std::string_view door, const MuxOp (&ops)[N], uint32_t selector_mask) {
    if (std::none_of(policy_.arches.begin(), policy_.arches.end(), [&](Arch a) { return Exists(a, door); })) return;
    // The selector's high bits (ipc's version) take every value any rule compares, and a few more.
    std::set<uint64_t> high_bits{0};
    if (selector_mask != 0xffffffffu) {
      high_bits.insert({1, 0xffff});
      for (size_t i = 0; i < policy_.rules.size(); ++i) {
        if (Names(i, door) && policy_.rules[i].condition) CollectHighBits(*policy_.rules[i].condition, high_bits);
      }
    }
    for (const MuxOp& op : ops) {
      const std::optional<Restriction> restriction = Restricting(op.primary, true);
      if (!restriction) continue;
      std::vector<ArgValues> candidates;
      for (uint64_t high : high_bits) {
        ArgValues values;
        values[0] = (high << 16) | op.op;
        candidates.push_back(values);
      }
      const std::optional<Opening> open = DoorOpen(door, candidates);
      if (!open) continue;
      const std::string name(door);
      const std::string selector = selector_mask == 0xffffu ? "(call & 0xffff)" : "call";
      std::string tail = name + " is allowed (" + Where(*open) + ") for " + selector + " ==";
      std::string hint = "deny " + name + ", or refuse those operations first (one rule each): 'errno EPERM " + name +
                         " if " + selector + " == " + std::to_string(op.op) + "'" + Before(*open);
      if (selector_mask == 0xffffu) hint += "; the high 16 bits of call are a version the kernel ignores";
      Add(*restriction, door, op.primary, std::move(tail), std::move(hint)).ops.push_back(op.op);
    }
  }

  static void CollectHighBits(const Condition& condition, std::set<uint64_t>& out) {
    if (condition.kind == Condition::Kind::kCompare) {
      if (condition.compare.arg == 0) out.insert((condition.compare.value >> 16) & 0xffff);
      return;
    }
    for (const Condition& child : condition.children) CollectHighBits(child, out);
  }

  void LintPersonality() {
    // persona values with READ_IMPLIES_EXEC: alone, with ADDR_NO_RANDOMIZE or PER_LINUX32, and with
    // every value a personality rule names.
    std::set<uint64_t> personas{0, 0x0040000, 0x0008};
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      if (!Names(i, "personality") || !policy_.rules[i].condition) continue;
      CollectValues(*policy_.rules[i].condition, personas);
    }
    std::vector<ArgValues> candidates;
    for (uint64_t persona : personas) {
      // 0xffffffff only asks for the current persona.
      if ((persona & 0xffffffffu) == 0xffffffffu) continue;
      ArgValues values;
      values[0] = persona | kReadImpliesExec;
      candidates.push_back(values);
    }
    std::optional<Opening> open;
    for (std::string_view name : kProtSyscalls) {
      const std::optional<Restriction> restriction = Restricting(name, false, {"prot"});
      if (!restriction) continue;
      if (!open) open = DoorOpen("personality", candidates);
      if (!open) return;
      Add(*restriction, "personality", name,
          "personality is allowed (" + Where(*open) +
              ") with READ_IMPLIES_EXEC, after which every readable mapping is also executable",
          "restrict personality" + Before(*open) +
              ": 'allow personality if (personality & READ_IMPLIES_EXEC) == 0', or only the personas the program uses");
    }
  }

  static void CollectValues(const Condition& condition, std::set<uint64_t>& out) {
    if (condition.kind == Condition::Kind::kCompare) {
      if (condition.compare.arg == 0) out.insert(condition.compare.value);
      return;
    }
    for (const Condition& child : condition.children) CollectValues(child, out);
  }

  // clone3 refused with anything but ENOSYS breaks thread creation: the C library falls back only
  // on ENOSYS. (clone3 let through is a bypass, reported by LintTwin.)
  void LintCloneFallback() {
    const std::optional<Restriction> restriction = Restricting("clone", false);
    if (!restriction || findings_.count({restriction->rule, "clone3"}) != 0) return;
    for (Arch arch : policy_.arches) {
      if (!Exists(arch, "clone3")) continue;
      Action answer = policy_.default_action;
      std::string where = "the default";
      for (size_t i = 0; i < policy_.rules.size(); ++i) {
        const Rule& rule = policy_.rules[i];
        if (!RuleAppliesToArch(rule, arch) || !Names(i, "clone3")) continue;
        if (rule.condition) return;  // a conditional answer: not judged here
        answer = rule.action;
        where = "the rule at " + rule.span.ToString();
        break;
      }
      if (answer == Action::Errno(ENOSYS)) continue;
      diagnostics_.Warning(policy_.rules[static_cast<size_t>(restriction->rule)].span,
                           "clone is restricted by its arguments, but clone3 is answered with '" +
                               answer.ToPolicyText() + "' (by " + where +
                               "), not errno ENOSYS: the C library falls back to clone only on ENOSYS",
                           "add 'errno ENOSYS clone3' so the C library falls back to clone");
      return;
    }
  }

  void Emit() {
    for (const auto& [key, finding] : findings_) {
      std::string primaries;
      for (const std::string& name : finding.primaries) primaries += (primaries.empty() ? "" : ", ") + name;
      std::string tail = finding.message_tail;
      if (!finding.ops.empty()) {
        std::string ops;
        for (uint32_t op : finding.ops) ops += (ops.empty() ? " " : ", ") + std::to_string(op);
        tail += ops + ", which " + (finding.ops.size() == 1 ? "does" : "do") +
                " the same with the arguments in memory a filter cannot read";
      }
      diagnostics_.Warning(policy_.rules[static_cast<size_t>(key.first)].span,
                           primaries + (finding.primaries.size() == 1 ? " is" : " are") +
                               " restricted by this rule, but " + tail,
                           finding.hint);
    }
  }

  const Policy& policy_;
  Diagnostics& diagnostics_;
  std::vector<std::vector<std::string>> expanded_;
  // Keyed by (restricting rule, door), in rule order.
  std::map<std::pair<int, std::string>, Finding> findings_;
};

}  // namespace

void LintBypasses(const Policy& policy, Diagnostics& diagnostics) { BypassLinter(policy, diagnostics).Run(); }

}  // namespace sysfence::policy
