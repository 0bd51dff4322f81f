// SPDX-License-Identifier: Apache-2.0
// A `sysfence watch` (or any program) started in the background by a test, with its stderr in a
// file, stopped with a signal and waited for.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/live/live_util.h"

namespace sysfence::live {

/// A background process.
class BackgroundProcess {
 public:
  /// Starts `argv` with stdin from /dev/null, stdout to `stdout_path` and stderr to `stderr_path`.
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                    const std::string& stderr_path);
  /// Kills it (SIGKILL) if still running.
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Sends `signal`.
  void Signal(int signal) const;
  /// Waits up to `timeout_s` for it to end; its exit status (128+signal), or -1 on timeout.
  int Wait(int timeout_s = 20);
  /// True while it has not exited (it may be a zombie not yet waited for: checks with WNOHANG).
  bool Running();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

/// Polls `condition` every 20 ms for up to `timeout_ms`; true when it held.
bool WaitFor(const std::function<bool()>& condition, int timeout_ms = 5000);

/// Reads `path` until it contains `needle` (up to `timeout_ms`); true when it does.
bool WaitForText(const std::string& path, const std::string& needle, int timeout_ms = 5000);

/// A copy of sf_probe in `dir`: its events carry this path as `exe`, so a test tells its own calls
/// from those of tests running beside it (in this build or another), which run sf_probe too.
std::string ProbeCopy(const TempDir& dir);

}  // namespace sysfence::live
