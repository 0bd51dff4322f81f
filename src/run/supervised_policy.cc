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

std::span<const std::string_view> LandlockObservedSyscalls(bool fs, bool net) {
  // Every syscall that takes a path and needs a Landlock fs right (ftruncate is judged at open time
  // by Landlock and is not observed),
  // then the two that need a TCP right. Syscalls without a path Landlock checks (stat, chdir,
  // chmod: docs/landlock.md) are not observed.
  static constexpr std::string_view kAll[] = {
      "open",    "openat",   "openat2",   "creat",    "mkdir",   "mkdirat",  "mknod",  "mknodat",
      "unlink",  "unlinkat", "rmdir",     "rename",   "renameat", "renameat2", "link",  "linkat",
      "symlink", "symlinkat", "truncate", "execve",  "execveat", "bind",   "connect"};
  constexpr size_t kFsCount = 21;
  const std::span<const std::string_view> all(kAll);
  if (fs && net) return all;
  if (fs) return all.first(kFsCount);
  if (net) return all.subspan(kFsCount);
  return {};
}

policy::Policy SupervisedPolicy(const policy::Policy& policy, RunMode mode, LandlockObservation observe) {
  policy::Policy supervised = policy;
  supervised.default_action = SupervisedAction(policy.default_action, mode);
  supervised.badarch_action = SupervisedAction(policy.badarch_action, mode);
  for (policy::Rule& rule : supervised.rules) rule.action = SupervisedAction(rule.action, mode);
  const auto observed = LandlockObservedSyscalls(observe.fs, observe.net);
  if (mode == RunMode::kMonitor && !observed.empty()) {
    // First match decides: these rules come before the policy's own, one rule per syscall so that
    // a name missing on one of the policy's ABIs (open on aarch64) only drops that rule there.
    std::vector<policy::Rule> front;
    for (const std::string_view name : observed) {
      policy::Rule rule;
      rule.action = Action::Notify();
      rule.targets = {std::string(name)};
      front.push_back(std::move(rule));
    }
    supervised.rules.insert(supervised.rules.begin(), front.begin(), front.end());
  }
  return supervised;
}

bool NeedsListener(const policy::Policy& policy, RunMode mode, LandlockObservation observe) {
  if (mode == RunMode::kMonitor && (observe.fs || observe.net)) return true;
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
