// SPDX-License-Identifier: Apache-2.0
// How `run` turns a policy into the filter the supervised program gets, and what the supervisor
// answers for each notified call.
//
// Enforce mode: every denial (errno, kill, kill-thread, trap, trace, notify-as-ENOSYS) is the
// filter's own return, so no process the program could reach takes part in a deny decision; only
// `log` outcomes (allowed and reported) are routed through user notification, where the supervisor
// answers CONTINUE. Denials are observed through the kernel's audit records (run/audit_denials.h).
// Monitor mode: every non-allow outcome is notified and continued; nothing is enforced.
#pragma once

#include <span>
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
  kContinue,  ///< SECCOMP_USER_NOTIF_FLAG_CONTINUE: the call runs (log rules, monitor mode)
  kFail,      ///< the call returns -1 with `error` (only for a call the filter should not have notified)
};

/// The supervisor's answer for one notified call.
struct Response {
  ResponseKind kind = ResponseKind::kFail;
  int error = 0;  ///< errno for kFail
  friend bool operator==(const Response&, const Response&) = default;
};

/// Whether a call that `policy_action` decides reaches the supervisor through user notification in
/// `mode`: in enforce mode only `log`; in monitor mode everything but `allow`.
bool IsNotified(Action policy_action, RunMode mode);

/// The action the supervised filter takes where the policy decides `policy_action`.
Action SupervisedAction(Action policy_action, RunMode mode);

/// Which of the policy's Landlock rules monitor mode observes in user space instead of enforcing.
struct LandlockObservation {
  bool fs = false;   ///< `fs` rules: path-taking syscalls are notified (LandlockObservedSyscalls)
  bool net = false;  ///< `net` rules: bind and connect are notified
  friend bool operator==(const LandlockObservation&, const LandlockObservation&) = default;
};

/// The syscalls whose path or port arguments monitor mode checks against the fs (net) rules.
std::span<const std::string_view> LandlockObservedSyscalls(bool fs, bool net);

/// The policy the supervised program's filter is compiled from: `policy` with every notified
/// outcome (rules, default, badarch) turned into `notify`, and in enforce mode `notify` turned into
/// `errno ENOSYS` (a denial the kernel makes itself). Conditions, arches and Landlock rules are
/// unchanged, so the filter denies exactly what the policy denies. Monitor mode with `observe`: the
/// observed syscalls are notified first, whatever the policy decides (the supervisor continues
/// every call in monitor mode, so this changes what is seen, never what runs).
policy::Policy SupervisedPolicy(const policy::Policy& policy, RunMode mode, LandlockObservation observe = {});

/// True when the supervised filter has at least one notify outcome (a listener is needed).
bool NeedsListener(const policy::Policy& policy, RunMode mode, LandlockObservation observe = {});

/// How the supervisor answers a notified call that the original policy decides `policy_action`.
/// monitor: always continue. enforce: `allow`/`log` continue; anything else fails (the filter never
/// notifies a denial in enforce mode, so this only matters if the supervisor's evaluation and the
/// filter ever disagreed: it then denies, never grants).
Response ResponseFor(Action policy_action, RunMode mode);

}  // namespace sysfence::run
