// SPDX-License-Identifier: Apache-2.0
#include "formats/systemd_syscalls.h"

#include <map>
#include <optional>
#include <string_view>

#include "core/errno_names.h"
#include "formats/systemd_facts.h"
#include "policy/arguments.h"
#include "policy/printer.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats::systemd {
namespace {

constexpr uint16_t kEnosys = 38;

// Three-valued truth: a comparison on an argument systemd cannot see may hold or not.
enum class Tri : uint8_t { kFalse, kTrue, kUnknown };

// `condition` for socket() on `arch` with family `family`: comparisons on the family are decided,
// every other comparison is unknown.
Tri OnFamily(const policy::Condition& condition, Arch arch, uint32_t family) {
  using Kind = policy::Condition::Kind;
  switch (condition.kind) {
    case Kind::kCompare: {
      std::optional<int> position = policy::ArgumentPositionOn(condition.compare, arch, "socket");
      if (!position || *position != 0) return Tri::kUnknown;
      const int width = syscalls::ArgWidthBits(arch, "socket", 0);
      return policy::ComparisonHolds(condition.compare, family, width) ? Tri::kTrue : Tri::kFalse;
    }
    case Kind::kNot: {
      const Tri inner = OnFamily(condition.children.front(), arch, family);
      return inner == Tri::kUnknown ? inner : (inner == Tri::kTrue ? Tri::kFalse : Tri::kTrue);
    }
    case Kind::kAnd:
    case Kind::kOr: {
      const Tri decisive = condition.kind == Kind::kAnd ? Tri::kFalse : Tri::kTrue;
      Tri result = condition.kind == Kind::kAnd ? Tri::kTrue : Tri::kFalse;
      for (const policy::Condition& child : condition.children) {
        const Tri value = OnFamily(child, arch, family);
        if (value == decisive) return decisive;
        if (value == Tri::kUnknown) result = Tri::kUnknown;
      }
      return result;
    }
  }
  return Tri::kUnknown;
}

// One action a syscall may get on one ABI, and the rule giving it (nullptr: the default).
struct Outcome {
  Action action;
  const policy::Rule* rule = nullptr;
};

// The policy's rules with their targets expanded once.
struct ExpandedRules {
  const policy::Policy& policy;
  std::vector<std::set<std::string>> targets;
  explicit ExpandedRules(const policy::Policy& p) : policy(p) {
    for (const policy::Rule& rule : p.rules) {
      std::vector<std::string> names = policy::ExpandTargets(rule);
      targets.emplace_back(names.begin(), names.end());
    }
  }
};

// Every action `name` may get on `arch` in first-match order: conditional rules may or may not
// match, so each adds its action; the first rule that surely matches (or the default) ends the
// list. With `family`, comparisons on socket's family are decided for that family.
std::vector<Outcome> PossibleOutcomes(const ExpandedRules& rules, Arch arch, const std::string& name,
                                      std::optional<uint32_t> family) {
  std::vector<Outcome> outcomes;
  for (size_t i = 0; i < rules.policy.rules.size(); ++i) {
    const policy::Rule& rule = rules.policy.rules[i];
    if (!policy::RuleAppliesToArch(rule, arch) || rules.targets[i].count(name) == 0) continue;
    Tri holds = rule.condition ? Tri::kUnknown : Tri::kTrue;
    if (rule.condition && family) holds = OnFamily(*rule.condition, arch, *family);
    if (holds == Tri::kFalse) continue;
    outcomes.push_back({rule.action, &rule});
    if (holds == Tri::kTrue) return outcomes;
  }
  outcomes.push_back({rules.policy.default_action, nullptr});
  return outcomes;
}

int Permissiveness(const SdAction& action) {
  switch (action.kind) {
    case SdAction::Kind::kAllow: return 2;
    case SdAction::Kind::kErrno: return 1;
    case SdAction::Kind::kKill: return 0;
  }
  return 0;
}

std::string Describe(const Outcome& outcome, const policy::Policy& policy) {
  if (outcome.rule == nullptr) return "default " + outcome.action.ToPolicyText();
  const std::vector<Arch> arches = policy::RuleArches(policy, *outcome.rule);
  std::string text = policy::PrintRule(*outcome.rule, arches);
  if (!outcome.rule->span.file.empty() || outcome.rule->span.line != 0) text += " (" + outcome.rule->span.ToString() + ")";
  return text;
}

// The verdict for `name` from all of its possible outcomes on every ABI.
SyscallVerdict Widen(const std::string& name, const std::vector<Outcome>& outcomes, const policy::Policy& policy) {
  SyscallVerdict verdict;
  verdict.name = name;
  bool chosen = false;
  bool differ = false;
  std::string approximation;
  for (const Outcome& outcome : outcomes) {
    std::string note;
    SdAction action = ToSystemd(outcome.action, &note);
    if (outcome.rule != nullptr && verdict.span.line == 0) verdict.span = outcome.rule->span;
    if (!chosen) {
      verdict.action = action;
      approximation = note;
      chosen = true;
      continue;
    }
    verdict.action.log = verdict.action.log || action.log;
    if (!action.SameOutcome(verdict.action)) differ = true;
    if (Permissiveness(action) > Permissiveness(verdict.action)) {
      const bool log = verdict.action.log;
      verdict.action = action;
      verdict.action.log = log;
      approximation = note;
    }
  }
  if (differ) {
    std::set<std::string> seen;
    for (const Outcome& outcome : outcomes) {
      std::string line = Describe(outcome, policy);
      if (seen.insert(line).second) verdict.lost.push_back(std::move(line));
    }
  }
  if (!approximation.empty()) verdict.lost.push_back(approximation);
  return verdict;
}

}  // namespace

std::string SdAction::ToString() const {
  switch (kind) {
    case Kind::kAllow: return log ? "allow (logged)" : "allow";
    case Kind::kErrno: {
      std::string_view name = ErrnoName(errno_value);
      return "errno " + (name.empty() ? std::to_string(errno_value) : std::string(name));
    }
    case Kind::kKill: return "kill";
  }
  return "kill";
}

SdAction ToSystemd(const Action& action, std::string* approximation) {
  SdAction out;
  switch (action.kind) {
    case ActionKind::kAllow: out.kind = SdAction::Kind::kAllow; break;
    case ActionKind::kLog:
      out.kind = SdAction::Kind::kAllow;
      out.log = true;
      break;
    case ActionKind::kErrno:
      out.kind = SdAction::Kind::kErrno;
      out.errno_value = action.data;
      break;
    case ActionKind::kKillProcess: out.kind = SdAction::Kind::kKill; break;
    case ActionKind::kKillThread:
      out.kind = SdAction::Kind::kKill;
      *approximation = "kill-thread becomes kill: systemd kills the whole process";
      break;
    case ActionKind::kTrap:
      out.kind = SdAction::Kind::kKill;
      *approximation = "trap becomes kill: systemd's SIGSYS cannot be caught";
      break;
    case ActionKind::kTrace:
    case ActionKind::kNotify:
      out.kind = SdAction::Kind::kErrno;
      out.errno_value = kEnosys;
      *approximation = std::string(ActionKeyword(action.kind)) +
                       " becomes errno ENOSYS, the kernel's answer when no tracer or supervisor is attached";
      break;
  }
  return out;
}

FamilyPlan PlanFamilies(const policy::Policy& policy) {
  FamilyPlan plan;
  const ExpandedRules rules(policy);
  bool named = false;
  for (size_t i = 0; i < policy.rules.size(); ++i) named = named || rules.targets[i].count("socket") != 0;
  if (!named) return plan;
  plan.exact = true;
  for (Arch arch : policy.arches) {
    if (!syscalls::NumberOf(arch, "socket")) continue;
    for (uint32_t family = 0; family < kAddressFamilyCount; ++family) {
      bool permits = false;
      std::optional<SdAction> first;
      for (const Outcome& outcome : PossibleOutcomes(rules, arch, "socket", family)) {
        std::string note;
        const SdAction action = ToSystemd(outcome.action, &note);
        permits = permits || action.Permits();
        if (first && !first->SameOutcome(action)) plan.exact = false;
        if (!first) first = action;
      }
      if (permits) plan.allowed.insert(family);
    }
  }
  plan.restricted = !plan.allowed.empty() && plan.allowed.size() < kAddressFamilyCount;
  return plan;
}

std::vector<SyscallVerdict> SyscallVerdicts(const policy::Policy& policy, const FamilyPlan& families) {
  const ExpandedRules rules(policy);
  std::set<std::string> names;
  for (const std::set<std::string>& targets : rules.targets) names.insert(targets.begin(), targets.end());
  std::vector<SyscallVerdict> verdicts;
  for (const std::string& name : names) {
    std::vector<Outcome> outcomes;
    for (Arch arch : policy.arches) {
      if (!syscalls::NumberOf(arch, name)) continue;
      if (name == "socket" && families.restricted) {
        for (uint32_t family : families.allowed) {
          for (const Outcome& outcome : PossibleOutcomes(rules, arch, name, family)) outcomes.push_back(outcome);
        }
        continue;
      }
      for (const Outcome& outcome : PossibleOutcomes(rules, arch, name, std::nullopt)) outcomes.push_back(outcome);
    }
    if (outcomes.empty()) continue;
    verdicts.push_back(Widen(name, outcomes, policy));
  }
  return verdicts;
}

}  // namespace sysfence::formats::systemd
