// SPDX-License-Identifier: Apache-2.0
// seccomp's original "strict" mode: after it, the calling thread may only read(2), write(2), _exit(2)
// (the `exit` syscall, not exit_group) and rt_sigreturn(2); any other syscall kills it with SIGKILL.
// It is for programs written for it (a compute kernel fed through pipes). execve is not allowed, so
// a launcher cannot simply exec a program in it: `sysfence run --strict` (src/run/strict_launcher.h)
// stops the new image before its first instruction and makes it enter strict mode by ptrace.
#pragma once

#include "core/result.h"

namespace sysfence::os {

/// Puts the calling thread into seccomp strict mode (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)).
/// Only the calling thread is affected; other threads keep running unrestricted. Fails (kOs, with
/// the errno) when the kernel lacks seccomp or the thread already runs under a seccomp filter.
/// After success, the only way out is `syscall(SYS_exit, status)`: glibc's exit() and _exit() use
/// exit_group, which strict mode answers with SIGKILL.
Result<void> EnterStrictMode();

}  // namespace sysfence::os
