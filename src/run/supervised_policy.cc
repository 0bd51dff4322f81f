// SPDX-License-Identifier: Apache-2.0
#include "run/supervised_policy.h"

#include <cerrno>

namespace sysfence::run {

std::string_view RunModeName(RunMode mode) { return mode == RunMode::kEnforce ? "enforce" : "monitor"; }

bool IsReported(Action policy_action, RunMode mode) {
  switch (policy_action.kind) {
    case ActionKind::kAllow: return false;
    case ActionKind::kLog:
    case ActionKind::kErrno:
    case ActionKind::kKillProcess:
    case ActionKind::kNotify: return true;
    // A kill-thread cannot be repeated from user space (SIGKILL takes the whole process), a trap
    // must come from the kernel to carry its siginfo, and trace belongs to a tracer: in enforce mode
    // these stay in the filter.
    case ActionKind::kKillThread:
    case ActionKind::kTrap:
    case ActionKind::kTrace: return mode == RunMode::kMonitor;
  }
  return false;
}

Action SupervisedAction(Action policy_action, RunMode mode) {
  return IsReported(policy_action, mode) ? Action::Notify() : policy_action;
}

policy::Policy SupervisedPolicy(const policy::Policy& policy, RunMode mode) {
  policy::Policy supervised = policy;
  supervised.default_action = SupervisedAction(policy.default_action, mode);
  supervised.badarch_action = SupervisedAction(policy.badarch_action, mode);
  for (policy::Rule& rule : supervised.rules) rule.action = SupervisedAction(rule.action, mode);
  return supervised;
}

bool NeedsListener(const policy::Policy& policy, RunMode mode) {
  if (IsReported(policy.default_action, mode) || IsReported(policy.badarch_action, mode)) return true;
  for (const policy::Rule& rule : policy.rules) {
    if (IsReported(rule.action, mode)) return true;
  }
  return false;
}

Response ResponseFor(Action policy_action, RunMode mode) {
  if (mode == RunMode::kMonitor) return {ResponseKind::kContinue, 0};
  switch (policy_action.kind) {
    case ActionKind::kAllow:
    case ActionKind::kLog: return {ResponseKind::kContinue, 0};
    case ActionKind::kErrno: return {ResponseKind::kFail, policy_action.data};
    case ActionKind::kKillProcess:
    case ActionKind::kKillThread: return {ResponseKind::kKillProcess, 0};
    // `notify` in a policy run by sysfence is a denial that is reported; ENOSYS is what the kernel
    // answers when no supervisor listens, so the outcome does not depend on the supervisor.
    case ActionKind::kNotify:
    case ActionKind::kTrap:
    case ActionKind::kTrace: return {ResponseKind::kFail, ENOSYS};
  }
  return {ResponseKind::kFail, EPERM};
}

}  // namespace sysfence::run
