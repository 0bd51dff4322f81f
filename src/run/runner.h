// SPDX-License-Identifier: Apache-2.0
// `sysfence run` as a library call: compile the supervised variant of a policy, start the program
// under it, supervise it, forward signals, and return the program's exit status.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "os/landlock.h"
#include "policy/policy.h"
#include "run/alerts.h"
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
};

/// What a finished run looks like.
struct RunResult {
  int exit_status = 0;          ///< the program's status, 128+signal when killed (SIGSYS for kill rules)
  bool killed_for_policy = false;
  bool supervisor_failed = false;  ///< the supervisor stopped early (the program saw ENOSYS afterwards)
  std::string supervisor_error;
};

/// Runs `options.command` under `options.policy`. An error means the program did not start (the
/// message names the step); a started program always yields a RunResult.
Result<RunResult> RunUnderPolicy(const RunOptions& options);

/// Shell-style exit status for a waitpid() status: the exit code, or 128 + the signal number.
int ExitStatusOf(int wait_status);

}  // namespace sysfence::run
