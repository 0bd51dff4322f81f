// SPDX-License-Identifier: Apache-2.0
#include "run/supervised_policy.h"

#include <cerrno>

namespace sysfence::run {

std::string_view RunModeName(RunMode mode) { return mode == RunMode::kEnforce ? "enforce" : "monitor"; }

bool IsNotified(Action policy_action, RunMode mode) {
  if (mode == RunMode::kMonitor) return policy_action.kind != ActionKind::kAllow;
  // Enforce: a denial must not wait for, or depend on, a process the program might reach.
  return policy_action.kind == ActionKind::kLog;
}

Action SupervisedAction(Action policy_action, RunMode mode) {
  if (IsNotified(policy_action, mode)) return Action::Notify();
  // `notify` in a policy run by sysfence is a denial with ENOSYS (what the kernel answers when no
  // supervisor listens), made by the filter itself.
  if (policy_action.kind == ActionKind::kNotify) return Action::Errno(ENOSYS);
  return policy_action;
}

policy::Policy SupervisedPolicy(const policy::Policy& policy, RunMode mode) {
  policy::Policy supervised = policy;
  supervised.default_action = SupervisedAction(policy.default_action, mode);
  supervised.badarch_action = SupervisedAction(policy.badarch_action, mode);
  for (policy::Rule& rule : supervised.rules) rule.action = SupervisedAction(rule.action, mode);
  return supervised;
}

bool NeedsListener(const policy::Policy& policy, RunMode mode) {
  if (IsNotified(policy.default_action, mode) || IsNotified(policy.badarch_action, mode)) return true;
  for (const policy::Rule& rule : policy.rules) {
    if (IsNotified(rule.action, mode)) return true;
  }
  return false;
}

Response ResponseFor(Action policy_action, RunMode mode) {
  if (mode == RunMode::kMonitor) return {ResponseKind::kContinue, 0};
  switch (policy_action.kind) {
    case ActionKind::kAllow:
    case ActionKind::kLog: return {ResponseKind::kContinue, 0};
    case ActionKind::kErrno: return {ResponseKind::kFail, policy_action.data};
    default: return {ResponseKind::kFail, ENOSYS};
  }
}

}  // namespace sysfence::run
