// SPDX-License-Identifier: Apache-2.0
#include "run/strict_inject.h"


#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "os/proc.h"

namespace sysfence::run {

#if defined(__x86_64__)
namespace {

// The user code segment selector of 64-bit processes (__USER_CS); 32-bit ones run with 0x23.
constexpr unsigned long long kUser64CodeSegment = 0x33;
// `syscall` is 0x0f 0x05; in a little-endian word the first byte is the low one.
constexpr unsigned long kSyscallInstruction = 0x050f;
constexpr unsigned long kSyscallMask = 0xffff;
constexpr unsigned long kSyscallLength = 2;
// Stops to wait for before giving up: the return from execve may report a single-step trap before
// the injected instruction runs, and signals may arrive in between.
constexpr int kMaxSteps = 16;

Error StepError(std::string_view step, int err) {
  const ErrorCode code = err == EPERM || err == EACCES ? ErrorCode::kPermission : ErrorCode::kOs;
  const char* name = strerrorname_np(err);
  return MakeError(code, fmt::format("strict mode: step '{}' failed: {}{}{}", step, name != nullptr ? name : "",
                                     name != nullptr ? ": " : "", std::strerror(err)));
}

Error StepError(std::string_view step, const std::string& why) {
  return MakeError(ErrorCode::kOs, fmt::format("strict mode: step '{}' failed: {}", step, why));
}

// Waits for the tracee's next stop after a single-step; returns its registers.
Result<user_regs_struct> StepOnce(pid_t pid, int& pending_signal) {
  if (ptrace(PTRACE_SINGLESTEP, pid, nullptr, nullptr) != 0) return StepError("single-step (PTRACE_SINGLESTEP)", errno);
  int status = 0;
  for (;;) {
    pid_t waited;
    do {
      waited = waitpid(pid, &status, __WALL);
    } while (waited < 0 && errno == EINTR);
    if (waited < 0) return StepError("wait for the single-step (waitpid)", errno);
    if (WIFEXITED(status)) {
      return StepError("single-step", fmt::format("the program exited with {}", WEXITSTATUS(status)));
    }
    if (WIFSIGNALED(status)) {
      return StepError("single-step", fmt::format("the program was killed by signal {}", WTERMSIG(status)));
    }
    if (WIFSTOPPED(status)) break;
  }
  // A signal other than the step's SIGTRAP is held back and delivered at detach.
  if (WSTOPSIG(status) != SIGTRAP) pending_signal = WSTOPSIG(status);
  user_regs_struct regs{};
  if (ptrace(PTRACE_GETREGS, pid, nullptr, &regs) != 0) return StepError("read registers (PTRACE_GETREGS)", errno);
  return regs;
}

// Single-steps the tracee over the `syscall` at `call.rip` with the registers `call` until the
// kernel reports strict mode. The exec stop is inside execve, whose return value overwrites rax
// when the tracee resumes, so the registers are set again at every stop before the instruction
// has run; if the instruction ran with a clobbered rax (a harmless read(0, NULL, 0) with these
// arguments) it is run again.
Result<void> StepIntoStrictMode(pid_t pid, const user_regs_struct& call, int& pending_signal) {
  const unsigned long long after = call.rip + kSyscallLength;
  for (int step = 0; step < kMaxSteps; ++step) {
    Result<user_regs_struct> regs = StepOnce(pid, pending_signal);
    if (!regs.ok()) return regs.error();
    if (regs->rip == after) {
      const long returned = static_cast<long>(regs->rax);
      if (returned < 0 && returned > -4096) {
        Error error = StepError("seccomp(SECCOMP_SET_MODE_STRICT) in the program", static_cast<int>(-returned));
        if (returned == -EINVAL) {
          error.message += " (the kernel lacks seccomp, or the program already runs under a filter)";
        }
        return error;
      }
      if (returned == 0 && os::SeccompModeOf(pid) == SECCOMP_MODE_STRICT) return Ok();
    } else if (regs->rip != call.rip) {
      return StepError("single-step", fmt::format("the program is at {:#x}, not at the injected syscall", regs->rip));
    }
    // Before the instruction, or after it ran with the wrong registers: set them (again).
    if (ptrace(PTRACE_SETREGS, pid, nullptr, &call) != 0) {
      return StepError("set the syscall registers (PTRACE_SETREGS)", errno);
    }
  }
  return StepError("single-step", fmt::format("strict mode was not entered after {} steps", kMaxSteps));
}

}  // namespace

Result<InjectedStrictMode> InjectStrictMode(pid_t pid) {
  user_regs_struct saved{};
  if (ptrace(PTRACE_GETREGS, pid, nullptr, &saved) != 0) return StepError("save registers (PTRACE_GETREGS)", errno);
  if (saved.cs != kUser64CodeSegment) {
    return MakeError(ErrorCode::kUnsupported,
                     "strict mode: the program is not a 64-bit x86_64 program; --strict supports only those");
  }
  const unsigned long long entry = saved.rip;
  errno = 0;
  const long word = ptrace(PTRACE_PEEKTEXT, pid, entry, nullptr);
  if (errno != 0) return StepError("save the code at the entry point (PTRACE_PEEKTEXT)", errno);
  const unsigned long patched = (static_cast<unsigned long>(word) & ~kSyscallMask) | kSyscallInstruction;
  if (ptrace(PTRACE_POKETEXT, pid, entry, patched) != 0) {
    return StepError("write a syscall instruction (PTRACE_POKETEXT)", errno);
  }

  user_regs_struct call = saved;
  call.rax = SYS_seccomp;
  call.rdi = SECCOMP_SET_MODE_STRICT;
  call.rsi = 0;
  call.rdx = 0;
  // rdi, rsi and rdx stay; rax is overwritten by execve's return and set again while stepping.
  if (ptrace(PTRACE_SETREGS, pid, nullptr, &call) != 0) {
    return StepError("set the syscall registers (PTRACE_SETREGS)", errno);
  }

  InjectedStrictMode injected;
  Result<void> entered = StepIntoStrictMode(pid, call, injected.pending_signal);
  if (!entered.ok()) return entered.error();
  const int mode = os::SeccompModeOf(pid);
  if (mode != SECCOMP_MODE_STRICT) {
    return StepError("verify /proc/PID/status", fmt::format("Seccomp is {}, not 1 (strict)", mode));
  }

  if (ptrace(PTRACE_POKETEXT, pid, entry, word) != 0) return StepError("restore the code (PTRACE_POKETEXT)", errno);
  errno = 0;
  const long restored = ptrace(PTRACE_PEEKTEXT, pid, entry, nullptr);
  if (errno != 0 || restored != word) {
    return StepError("verify the restored code (PTRACE_PEEKTEXT)", errno != 0 ? errno : EIO);
  }
  if (ptrace(PTRACE_SETREGS, pid, nullptr, &saved) != 0) return StepError("restore registers (PTRACE_SETREGS)", errno);
  return injected;
}

#else

Result<InjectedStrictMode> InjectStrictMode(pid_t) {
  return MakeError(ErrorCode::kUnsupported, "strict mode: --strict is implemented for x86_64 only");
}

#endif

}  // namespace sysfence::run
