// SPDX-License-Identifier: Apache-2.0
// `sysfence run` as a library call: compile the supervised variant of a policy, start the program
// under it, supervise it, forward signals, and return the program's exit status.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "os/landlock.h"
#include "policy/policy.h"
#include "run/alerts.h"
#include "run/isolation.h"
#include "run/status.h"
#include "run/supervised_policy.h"

namespace sysfence::run {

/// Everything `run` needs.
struct RunOptions {
  policy::Policy policy;
  RunMode mode = RunMode::kEnforce;
  std::vector<std::string> command;  ///< program and its arguments
  std::string events_path;           ///< JSON Lines events: a file (appended), "-" for stdout, "" for none
  bool human_events = true;          ///< one line per new call shape, and the summary, on stderr
  std::string alert_command;         ///< run with each event on stdin ("" for none)
  AlertOptions alert_tuning;         ///< rate limits (its `command` is ignored)
  os::LandlockMode landlock_mode = os::LandlockMode::kBestEffort;
  /// The walls between the program and sysfence (run/isolation.h): require them, or take what the
  /// kernel has.
  IsolationMode isolation_mode = IsolationMode::kRequire;
  uint64_t max_events_per_shape = 100;  ///< JSON events per call shape; later ones are counted only
  uint64_t max_event_bytes = uint64_t{1} << 30;  ///< size cap of the JSON events written by this run
  /// `--kernel-log`: every non-allow decision of the filter, and every Landlock denial after exec,
  /// reaches the kernel's audit stream (SECCOMP_FILTER_FLAG_LOG, LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON)
  /// even when this run does not read it itself, so `sysfence watch` sees them.
  bool kernel_log = false;
  /// Monitor mode: enforce the policy's fs/net rules with Landlock (`--landlock-enforce`) instead
  /// of observing them (the default: accesses they would deny are reported, run/landlock_judge.h).
  /// Enforce mode always enforces them.
  bool landlock_enforce = false;
  /// Status lines while the program runs: called on the waiting thread with what the run has seen
  /// so far, when sysfence receives SIGUSR1 (blocked while the run lasts, so it does not end
  /// sysfence) and every `status_interval_ms` when that is > 0. Null: no status, SIGUSR1 untouched.
  std::function<void(const RunStatus&)> on_status;
  int64_t status_interval_ms = 0;
};

/// Whether a run with `options` observes the policy's fs/net rules in user space (monitor mode
/// without --landlock-enforce, and the policy has fs or net rules) instead of enforcing them.
bool ObservesLandlock(const RunOptions& options);

/// What a finished run looks like.
struct RunResult {
  int exit_status = 0;          ///< the program's status, 128+signal when killed (SIGSYS for kill rules)
  bool killed_for_policy = false;  ///< the kernel killed the program for a `kill` rule (seen in its audit record)
  bool events_failed = false;      ///< events could not all be written (disk full, closed pipe)
  bool supervisor_failed = false;  ///< the supervisor stopped early (the program saw ENOSYS afterwards)
  std::string supervisor_error;
  /// Not 0 when the program never ran because its execve failed: the errno. `exit_status` is then
  /// os::ExecFailureStatus of it (127 for ENOENT, else 126) and `exec_error` says why.
  int exec_errno = 0;
  std::string exec_error;
};

/// Runs `options.command` under `options.policy`. An error means the program did not start for a
/// reason of sysfence's own (the message names the step); a RunResult holds the program's status,
/// or, with `exec_errno` set, how its execve failed.
Result<RunResult> RunUnderPolicy(const RunOptions& options);



}  // namespace sysfence::run
