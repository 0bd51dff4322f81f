// SPDX-License-Identifier: Apache-2.0
#include "run/rule_attribution.h"

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "policy/targets.h"
#include "syscalls/facts.h"
#include "run/supervised_policy.h"

namespace sysfence::run {

std::string RuleLocation(const policy::Policy& policy, const policy::Decision& decision) {
  switch (decision.by) {
    case policy::DecidedBy::kDefault: return "default";
    case policy::DecidedBy::kBadArch: return "badarch";
    case policy::DecidedBy::kUnknown: return "unknown";
    case policy::DecidedBy::kRule: break;
  }
  if (decision.rule_index < 0 || static_cast<size_t>(decision.rule_index) >= policy.rules.size()) return "default";
  const SourceSpan& span = policy.rules[decision.rule_index].span;
  if (span.file.empty()) return fmt::format("rule#{}", decision.rule_index + 1);
  if (span.line == 0) return span.json_path.empty() ? span.file : span.file + ": " + span.json_path;
  return fmt::format("{}:{}", span.file, span.line);
}

DenialAttribution AttributeDenial(const policy::Policy& policy, bool arch_listed, Arch arch, std::string_view name,
                                  ActionKind returned) {
  const auto returns = [&](Action action) {
    return SupervisedAction(action, RunMode::kEnforce).kind == returned;
  };
  if (!arch_listed) return {policy.badarch_action, "badarch", policy::DecidedBy::kBadArch};
  // A number with no name that the `unknown` answer, and not the default, explains.
  if (name.empty() && returns(policy::UnknownAction(policy)) && !returns(policy.default_action)) {
    return {policy::UnknownAction(policy), "unknown", policy::DecidedBy::kUnknown};
  }
  std::vector<int> candidates;
  bool unconditional_reached = false;
  for (size_t i = 0; i < policy.rules.size() && !name.empty(); ++i) {
    const policy::Rule& rule = policy.rules[i];
    if (!policy::RuleAppliesToArch(rule, arch)) continue;
    const std::vector<std::string> names = policy::ExpandTargets(rule);
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (returns(rule.action)) candidates.push_back(static_cast<int>(i));
    if (!rule.condition) {
      unconditional_reached = true;
      break;
    }
  }
  const bool default_candidate = !unconditional_reached && returns(policy.default_action);
  const Action enosys = Action::Errno(ENOSYS);
  if (candidates.empty()) {
    // The default decided (or, should the record disagree with the policy, the best we can say).
    return {policy.default_action, "default", policy::DecidedBy::kDefault,
            policy.default_action == enosys && IsEnosysFallbackSyscall(name)};
  }
  bool answers_enosys = !default_candidate || policy.default_action == enosys;
  for (const int candidate : candidates) answers_enosys = answers_enosys && policy.rules[candidate].action == enosys;
  const bool fallback = answers_enosys && IsEnosysFallbackSyscall(name);
  if (candidates.size() == 1 && !default_candidate) {
    policy::Decision decision{policy.rules[candidates[0]].action, policy::DecidedBy::kRule, candidates[0]};
    return {decision.action, RuleLocation(policy, decision), policy::DecidedBy::kRule, fallback};
  }
  std::string rule = "one of ";
  for (size_t i = 0; i < candidates.size(); ++i) {
    policy::Decision decision{policy.rules[candidates[i]].action, policy::DecidedBy::kRule, candidates[i]};
    rule += (i == 0 ? "" : ", ") + RuleLocation(policy, decision);
  }
  if (default_candidate) rule += ", default";
  return {policy.rules[candidates[0]].action, rule, policy::DecidedBy::kRule, fallback};
}

bool IsEnosysFallbackSyscall(std::string_view name) {
  if (name.empty()) return false;
  for (const syscalls::FallbackTwin& twin : syscalls::FallbackTwins()) {
    if (twin.newer == name) return true;
  }
  const auto safe = syscalls::EnosysSafeSyscalls();
  return std::find(safe.begin(), safe.end(), name) != safe.end();
}

}  // namespace sysfence::run
