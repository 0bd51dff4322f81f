// SPDX-License-Identifier: Apache-2.0
// One conversion of a waitpid() status into the status a shell reports, for every launcher.
#pragma once

#include <sys/wait.h>

namespace sysfence::os {

/// The exit code, or 128 + the signal that ended the process; 255 for any other state (stopped,
/// continued), so an unexpected state never reads as success.
inline int ShellExitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

}  // namespace sysfence::os
