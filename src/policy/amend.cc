// SPDX-License-Identifier: Apache-2.0
#include "policy/amend.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "policy/evaluate.h"
#include "policy/printer.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

// pthread_create: CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|
// CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, no exit signal (glibc
// sysdeps/nptl/pthread_create.c); posix_spawn: CLONE_VM|CLONE_VFORK with SIGCHLD (17).
constexpr uint64_t kGlibcFallbackFlags[] = {0x3d0f00, 0x4111};
constexpr const char* kGlibcFallbackSpellings[] = {
    "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PARENT_SETTID|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
    "CLONE_CHILD_CLEARTID",
    "CLONE_VM|CLONE_VFORK|SIGCHLD"};

bool Names(const Rule& rule, std::string_view syscall) {
  const std::vector<std::string> names = ExpandTargets(rule);
  return std::binary_search(names.begin(), names.end(), syscall);
}

// How a policy treats a syscall: through which rules, in order.
enum class Treatment : uint8_t { kNotPermitted, kUnconditional, kConditional };

Treatment TreatmentOf(const Policy& policy, std::string_view syscall) {
  Treatment treatment = Treatment::kNotPermitted;
  for (const Rule& rule : policy.rules) {
    if (!Names(rule, syscall)) continue;
    if (!rule.action.Permits()) {
      // A denial that covers every ABI and every call ends the search; a conditional one only
      // narrows what follows (count it as a condition).
      if (!rule.condition && rule.only_arches.empty()) return treatment;
      if (treatment == Treatment::kNotPermitted) continue;
      return Treatment::kConditional;
    }
    if (!rule.condition && rule.only_arches.empty()) {
      return treatment == Treatment::kConditional ? Treatment::kConditional : Treatment::kUnconditional;
    }
    treatment = Treatment::kConditional;
  }
  return treatment;
}

// Where a rule for `syscall` takes effect: before the first rule naming it that does not permit
// it (right after the permitting rules that precede that one, so siblings stay together); else
// right after the last rule naming it; else before the first denying rule; else last.
size_t InsertionPoint(const Policy& policy, std::string_view syscall) {
  std::optional<size_t> last_naming;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    if (!Names(policy.rules[i], syscall)) continue;
    if (!policy.rules[i].action.Permits()) return last_naming ? *last_naming + 1 : i;
    last_naming = i;
  }
  if (last_naming) return *last_naming + 1;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    if (!policy.rules[i].action.Permits()) return i;
  }
  return policy.rules.size();
}

bool AlreadyPermitted(const Policy& policy, const ObservedCall& call) {
  const auto number = syscalls::NumberOf(call.arch, call.syscall);
  if (!number) return false;
  SeccompData data;
  data.nr = static_cast<int32_t>(*number);
  data.arch = GetArchInfo(call.arch).audit_arch;
  for (const ObservedArg& arg : call.args) {
    if (arg.index >= 0 && arg.index < 6) data.args[arg.index] = arg.value;
  }
  return Evaluate(policy, data).action.Permits();
}

Condition Equals(int index, uint64_t value, const std::string& spelling) {
  Condition condition;
  condition.kind = Condition::Kind::kCompare;
  condition.compare.arg = index;
  condition.compare.op = CompareOp::kEq;
  condition.compare.value = value;
  condition.compare.value_spelling = spelling;
  return condition;
}

Condition Combine(Condition::Kind kind, std::vector<Condition> children) {
  if (children.size() == 1) return std::move(children.front());
  Condition condition;
  condition.kind = kind;
  condition.children = std::move(children);
  return condition;
}

std::string Origins(std::span<const ObservedCall> calls) {
  std::vector<std::string> origins;
  for (const ObservedCall& call : calls) origins.push_back(call.origin);
  return OriginsComment(origins);
}

// Inserts `rule` (one target) where it takes effect. An unconditional rule for every ABI decides
// its syscall alone: later rules naming it by name lose that target (they could never apply).
void Insert(Policy& policy, Rule rule, std::vector<std::string>& lines) {
  const std::string name = rule.targets.front();
  const bool decides_all = !rule.condition && rule.only_arches.empty();
  lines.push_back(PrintRule(rule, RuleArches(policy, rule)));
  const size_t at = InsertionPoint(policy, name);
  policy.rules.insert(policy.rules.begin() + static_cast<std::ptrdiff_t>(at), std::move(rule));
  if (!decides_all) return;
  for (size_t i = policy.rules.size(); i-- > at + 1;) {
    std::vector<std::string>& targets = policy.rules[i].targets;
    auto it = std::find(targets.begin(), targets.end(), name);
    if (it == targets.end()) continue;
    targets.erase(it);
    if (targets.empty()) policy.rules.erase(policy.rules.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

}  // namespace

std::span<const uint64_t> GlibcCloneFallbackFlags() { return kGlibcFallbackFlags; }

Rule RuleAllowing(std::span<const ObservedCall> calls, const std::vector<Arch>& policy_arches) {
  Rule rule;
  rule.action = Action::Allow();
  rule.targets = {calls.front().syscall};
  std::set<Arch> arches;
  std::map<int, std::map<uint64_t, std::string>> values;  // index -> value -> spelling
  for (const ObservedCall& call : calls) {
    arches.insert(call.arch);
    for (const ObservedArg& arg : call.args) values[arg.index].try_emplace(arg.value, arg.spelling);
  }
  if (arches.size() < policy_arches.size()) rule.only_arches.assign(arches.begin(), arches.end());
  std::vector<Condition> conjuncts;
  for (const auto& [index, spelled] : values) {
    std::vector<Condition> alternatives;
    for (const auto& [value, spelling] : spelled) alternatives.push_back(Equals(index, value, spelling));
    conjuncts.push_back(Combine(Condition::Kind::kOr, std::move(alternatives)));
  }
  if (!conjuncts.empty()) rule.condition = Combine(Condition::Kind::kAnd, std::move(conjuncts));
  return rule;
}

std::vector<std::string> ReconcileCloneTwins(Policy& policy, bool clone3_used) {
  std::vector<std::string> lines;
  const bool clone3_exists = std::any_of(policy.arches.begin(), policy.arches.end(), [](Arch arch) {
    return syscalls::NumberOf(arch, "clone3").has_value();
  });
  if (!clone3_exists) return lines;
  switch (TreatmentOf(policy, "clone")) {
    case Treatment::kNotPermitted: return lines;
    case Treatment::kUnconditional: {
      if (!clone3_used || TreatmentOf(policy, "clone3") == Treatment::kUnconditional) return lines;
      Rule rule;
      rule.targets = {"clone3"};
      rule.comment = "clone is allowed whatever its flags: its twin clone3 (flags in memory) may be too";
      Insert(policy, std::move(rule), lines);
      return lines;
    }
    case Treatment::kConditional: break;
  }
  // clone is restricted by its flags: clone3 must answer ENOSYS, or the restriction is void.
  bool had_enosys = false;
  for (auto it = policy.rules.begin(); it != policy.rules.end();) {
    const bool names_clone3 = std::find(it->targets.begin(), it->targets.end(), "clone3") != it->targets.end();
    if (names_clone3 && it->action.Permits()) {
      if (it->targets.size() == 1) {
        it = policy.rules.erase(it);
        continue;
      }
      it->targets.erase(std::find(it->targets.begin(), it->targets.end(), "clone3"));
    }
    if (names_clone3 && it->action == Action::Errno(ENOSYS) && !it->condition) had_enosys = true;
    ++it;
  }
  if (!had_enosys) {
    Rule rule;
    rule.action = Action::Errno(ENOSYS);
    rule.targets = {"clone3"};
    rule.comment = "fallback twin of clone, which is allowed only for some flags: on ENOSYS, libc retries with clone";
    Insert(policy, std::move(rule), lines);
  }
  if (!clone3_used) return lines;
  std::vector<ObservedCall> fallbacks;
  for (size_t i = 0; i < std::size(kGlibcFallbackFlags); ++i) {
    ObservedCall call;
    call.arch = policy.arches.empty() ? NativeArch() : policy.arches.front();
    call.syscall = "clone";
    call.args = {ObservedArg{0, kGlibcFallbackFlags[i], kGlibcFallbackSpellings[i]}};
    if (!AlreadyPermitted(policy, call)) fallbacks.push_back(std::move(call));
  }
  if (fallbacks.empty()) return lines;
  Rule rule = RuleAllowing(fallbacks, {});
  rule.only_arches.clear();
  rule.comment = "clone3 was used and answers ENOSYS: glibc falls back to clone with these flags "
                 "(pthread_create, posix_spawn)";
  Insert(policy, std::move(rule), lines);
  return lines;
}

std::string OriginsComment(std::span<const std::string> origins) {
  std::vector<std::string> distinct;
  for (const std::string& origin : origins) {
    if (!origin.empty() && std::find(distinct.begin(), distinct.end(), origin) == distinct.end()) {
      distinct.push_back(origin);
    }
  }
  if (distinct.empty()) return "reported by a run";
  std::string text = distinct.front();
  for (size_t i = 1; i < distinct.size() && i < 3; ++i) text += "; " + distinct[i];
  if (distinct.size() > 3) text += " and " + std::to_string(distinct.size() - 3) + " more";
  return text;
}

Amendment AmendPolicy(const Policy& policy, std::span<const ObservedCall> calls) {
  Amendment amendment;
  amendment.policy = policy;
  Policy& amended = amendment.policy;
  std::map<std::string, std::vector<ObservedCall>> by_name;
  std::set<std::string> missing_arches, argless;
  bool clone3_used = TreatmentOf(policy, "clone3") != Treatment::kNotPermitted;
  for (const ObservedCall& call : calls) {
    if (std::find(amended.arches.begin(), amended.arches.end(), call.arch) == amended.arches.end()) {
      missing_arches.insert(std::string(ArchName(call.arch)));
      continue;
    }
    if (call.syscall == "clone3") clone3_used = true;
    if (AlreadyPermitted(amended, call)) continue;
    if (call.conditionable && !call.args_known) {
      argless.insert(call.syscall);
      continue;
    }
    by_name[call.syscall].push_back(call);
  }
  for (const std::string& name : argless) {
    if (by_name.count(name) != 0) continue;  // other reports of it carry the arguments
    amendment.notes.push_back("# " + name +
                              " was denied, but the report carries no arguments (an audit record): run the work "
                              "with --monitor to learn which values it needs");
  }
  // clone3 last: whether it may be allowed depends on what clone ends up with.
  std::vector<ObservedCall> clone3_calls;
  if (auto it = by_name.find("clone3"); it != by_name.end()) {
    clone3_calls = std::move(it->second);
    by_name.erase(it);
  }
  for (const auto& [name, observed] : by_name) {
    Rule rule = RuleAllowing(observed, amended.arches);
    rule.comment = Origins(observed);
    Insert(amended, std::move(rule), amendment.lines);
  }
  if (!clone3_calls.empty() && TreatmentOf(amended, "clone") != Treatment::kConditional) {
    Rule rule = RuleAllowing(clone3_calls, amended.arches);
    rule.comment = Origins(clone3_calls);
    Insert(amended, std::move(rule), amendment.lines);
  }
  for (std::string& line : ReconcileCloneTwins(amended, clone3_used)) amendment.lines.push_back(std::move(line));
  for (const std::string& arch : missing_arches) {
    amendment.notes.push_back("# the program used the " + arch + " ABI: add " + arch + " to the policy's arch line");
  }
  return amendment;
}

}  // namespace sysfence::policy
