// SPDX-License-Identifier: Apache-2.0
// How `run` turns a policy into the filter the supervised program gets, and what the supervisor
// answers for each notified call. The kernel filter always decides which calls are denied; the
// outcomes that should be reported are routed through user notification so the supervisor sees
// them, and its answer repeats the policy's decision (errno, kill) or, in monitor mode, lets the
// call continue.
#pragma once

#include <string_view>

#include "core/action.h"
#include "policy/policy.h"

namespace sysfence::run {

/// How `run` treats the policy.
enum class RunMode : uint8_t {
  kEnforce,  ///< denials are enforced and reported
  kMonitor,  ///< nothing is blocked; what the policy would deny is reported
};

/// "enforce" or "monitor".
std::string_view RunModeName(RunMode mode);

/// What the supervisor does with a notified call.
enum class ResponseKind : uint8_t {
  kContinue,     ///< SECCOMP_USER_NOTIF_FLAG_CONTINUE: the call runs (log rules, monitor mode)
  kFail,         ///< the call returns -1 with `error`
  kKillProcess,  ///< the calling process is killed (SIGKILL) before the call runs
};

/// The supervisor's answer for one notified call.
struct Response {
  ResponseKind kind = ResponseKind::kFail;
  int error = 0;  ///< errno for kFail
  friend bool operator==(const Response&, const Response&) = default;
};

/// Whether a call that `policy_action` decides reaches the supervisor in `mode` (and so becomes an
/// event). kill-thread, trap and trace stay with the kernel in enforce mode and are not reported.
bool IsReported(Action policy_action, RunMode mode);

/// The action the supervised filter takes where the policy decides `policy_action`.
Action SupervisedAction(Action policy_action, RunMode mode);

/// The policy the supervised program's filter is compiled from: `policy` with every reported
/// outcome (rules, default, badarch) turned into `notify`. Conditions, arches and Landlock rules are
/// unchanged, so the filter denies exactly what the policy denies.
policy::Policy SupervisedPolicy(const policy::Policy& policy, RunMode mode);

/// True when the supervised filter has at least one notify outcome (a listener is needed).
bool NeedsListener(const policy::Policy& policy, RunMode mode);

/// How the supervisor answers a notified call that the original policy decides `policy_action`.
/// enforce: log -> continue, errno N -> fail N, kill -> kill the process, notify -> fail ENOSYS
/// (what the kernel answers without a supervisor). monitor: always continue.
Response ResponseFor(Action policy_action, RunMode mode);

}  // namespace sysfence::run
