// SPDX-License-Identifier: Apache-2.0
// Starting work that outlives its caller: what an OCI hook needs, since a runtime waits for its
// hooks to exit (and for their stdout and stderr to close) before it starts the container.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "core/result.h"

namespace sysfence::os {

/// How detached work tells its starter that it is under way, or why it could not start. Only the
/// first report counts; a worker that returns without one is reported as having exited early.
class DetachedReporter {
 public:
  explicit DetachedReporter(int fd) : fd_(fd) {}
  DetachedReporter(const DetachedReporter&) = delete;
  DetachedReporter& operator=(const DetachedReporter&) = delete;
  ~DetachedReporter();

  /// The work is under way: the starter returns success.
  void Ready();
  /// The work cannot start: the starter returns an error with `message` and `code`.
  void Fail(ErrorCode code, const std::string& message);

 private:
  void Send(const std::string& bytes);
  int fd_;
};

/// Runs `work` in a grandchild (double fork, setsid) that outlives the caller and belongs to no
/// terminal: standard input, output and error are /dev/null and every other inherited descriptor
/// is closed, so nobody waiting on the caller's pipes waits for it. Returns once `work` reported:
/// Ready gives the grandchild's pid; Fail, or an exit without a report, gives the error. The
/// grandchild's exit status is what `work` returns.
Result<pid_t> RunDetached(const std::function<int(DetachedReporter&)>& work);

}  // namespace sysfence::os
