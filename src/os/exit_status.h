// SPDX-License-Identifier: Apache-2.0
// One conversion of a waitpid() status into the status a shell reports, for every launcher.
#pragma once

#include <sys/wait.h>

#include <cerrno>

namespace sysfence::os {

/// The exit code, or 128 + the signal that ended the process; 255 for any other state (stopped,
/// continued), so an unexpected state never reads as success.
inline int ShellExitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

/// The status a launcher exits with when the program's execve failed with `exec_errno`, as env(1)
/// and timeout(1) have it: 127 when a file was not found (ENOENT: the program, its #! interpreter
/// or its ELF interpreter), 126 for every other reason it was found but could not be executed
/// (EACCES: no execute permission, a folder, a noexec mount; ENOEXEC: not a format the kernel runs;
/// EPERM: refused, e.g. by the policy; ETXTBSY, ELOOP, E2BIG, ENOMEM, ...).
inline int ExecFailureStatus(int exec_errno) { return exec_errno == ENOENT ? 127 : 126; }

}  // namespace sysfence::os
