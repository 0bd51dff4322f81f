// SPDX-License-Identifier: Apache-2.0
// Making a traced, stopped process call seccomp(SECCOMP_SET_MODE_STRICT) itself: the injection step
// of `sysfence run --strict` (run/strict_launcher.h). x86_64 only.
#pragma once

#include <sys/types.h>

#include "core/result.h"

namespace sysfence::run {

/// What the injection leaves for the launcher to do.
struct InjectedStrictMode {
  int pending_signal = 0;  ///< a signal that arrived while stepping; deliver it with PTRACE_DETACH
};

/// Puts the tracee `pid`, stopped at its PTRACE_EVENT_EXEC stop, into seccomp strict mode before it
/// runs an instruction of its new image: saves the registers and the code word at rip, writes a
/// `syscall` instruction (0x0f 0x05) there, sets rax = __NR_seccomp, rdi = SECCOMP_SET_MODE_STRICT,
/// rsi = rdx = 0, single-steps until the instruction has run, checks that it returned 0 and that
/// /proc/PID/status reports "Seccomp: 1", then restores the code and the registers. The tracee is
/// left stopped and attached. The error names the step that failed and why; the caller must then
/// kill the tracee (it may be unconfined). Fails with kUnsupported on other architectures and for
/// tracees not in 64-bit mode.
Result<InjectedStrictMode> InjectStrictMode(pid_t pid);

}  // namespace sysfence::run
