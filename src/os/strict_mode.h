// SPDX-License-Identifier: Apache-2.0
// seccomp's original "strict" mode: after it, the calling thread may only read(2), write(2), _exit(2)
// (the `exit` syscall, not exit_group) and rt_sigreturn(2); any other syscall kills it with SIGKILL.
// It is for programs written for it (a compute kernel fed through pipes); execve is not allowed, so
// a launcher cannot start a program in strict mode (see kStrictModeRunExplanation).
#pragma once

#include <string_view>

#include "core/result.h"

namespace sysfence::os {

/// Puts the calling thread into seccomp strict mode (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)).
/// Only the calling thread is affected; other threads keep running unrestricted. Fails (kOs, with
/// the errno) when the kernel lacks seccomp or the thread already runs under a seccomp filter.
/// After success, the only way out is `syscall(SYS_exit, status)`: glibc's exit() and _exit() use
/// exit_group, which strict mode answers with SIGKILL.
Result<void> EnterStrictMode();

/// Why `sysfence run --strict` cannot start a program in strict mode, and what to do instead. The run
/// command prints it and exits with status 2 (bad usage: nothing started).
inline constexpr std::string_view kStrictModeRunExplanation =
    "strict mode allows only read, write, exit and rt_sigreturn, so no program can be started in it: "
    "execve itself would be killed. A program built for strict mode enters it itself, after its setup, "
    "by calling sysfence::EnterStrictMode() (include/sysfence/sysfence.h) or "
    "prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT); run it under `sysfence run --policy P` to confine its "
    "setup phase too. See docs/library.md, \"Strict mode\".";

}  // namespace sysfence::os
