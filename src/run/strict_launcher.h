// SPDX-License-Identifier: Apache-2.0
// `sysfence run --strict`: start a program in seccomp's original strict mode (only read, write,
// _exit and rt_sigreturn; any other syscall is answered with SIGKILL) from the first instruction of
// its new image.
//
// Strict mode forbids execve, so the program cannot enter it before exec, and a program not written
// for it never enters it afterwards. The launcher therefore makes the program enter it through
// ptrace: the child calls PTRACE_TRACEME, sets no_new_privs and execs; at the exec stop
// (PTRACE_EVENT_EXEC, before the first instruction of the new image) the launcher writes a
// `syscall` instruction over the entry point, points the registers at
// seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL), single-steps it, checks that it returned 0 (and that
// /proc/PID/status says "Seccomp: 1"), restores the registers and the code, and detaches.
// Strict mode also disables the time stamp counter: rdtsc then raises SIGSEGV.
//
// Fails closed: if any step fails the child is killed before it runs an instruction of the
// program, and the error names the step. PTRACE_O_EXITKILL kills the child if the launcher dies
// while it is still attached. x86_64 only.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace sysfence::run {

/// How a program started in strict mode ended.
struct StrictRunResult {
  int exit_status = 0;  ///< its exit code, or 128+signal when a signal ended it
  /// The signal that ended it, or 0. SIGKILL is almost always a strict-mode violation (a syscall
  /// other than read, write, exit, rt_sigreturn); SIGSEGV can be the rdtsc instruction, which
  /// faults in strict mode (the kernel disables the time stamp counter; the dynamic loader reads it
  /// before its first syscall).
  int signal = 0;
  /// Not 0 when the program never ran because its execve failed: the errno. `exit_status` is then
  /// os::ExecFailureStatus of it (127 for ENOENT, else 126) and `exec_error` says why.
  int exec_errno = 0;
  std::string exec_error;
};

/// Runs `command` (program and arguments; the program is resolved like execvp) in seccomp strict
/// mode and waits for it. SIGINT, SIGTERM and SIGHUP sent to the caller are passed on to the
/// program. Errors mean the program did not run: kNotFound / kInvalidInput when it cannot be
/// executed (the message says why; a failed execve is a result with `exec_errno`), kUnsupported on architectures other than x86_64, kOs or
/// kPermission with the failed step when the launch or the injection failed.
Result<StrictRunResult> RunInStrictMode(const std::vector<std::string>& command);

}  // namespace sysfence::run
