// SPDX-License-Identifier: Apache-2.0
#include "run/strict_launcher.h"

#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "os/exit_status.h"
#include "os/proc.h"
#include "os/spawn.h"
#include "run/forwarded_signals.h"
#include "run/strict_inject.h"

namespace sysfence::run {
namespace {

Error LaunchError(std::string_view step, int err) {
  const ErrorCode code = err == EPERM || err == EACCES ? ErrorCode::kPermission : ErrorCode::kOs;
  return MakeError(code, fmt::format("cannot start the program in strict mode: step '{}' failed: {}", step,
                                     std::strerror(err)));
}

Error CannotStart(const Error& error) {
  return MakeError(error.code, "cannot start the program in strict mode: " + error.message);
}

// waitpid, retried on EINTR; -1 with errno on failure.
pid_t WaitFor(pid_t pid, int* status) {
  pid_t waited;
  do {
    waited = waitpid(pid, status, __WALL);
  } while (waited < 0 && errno == EINTR);
  return waited;
}

// The error for a child that ended before its new image ran.
Error ChildEndedError(const os::SpawnedChild& child, int wait_status) {
  if (std::optional<Error> failure = child.Failure()) return CannotStart(*failure);
  return MakeError(ErrorCode::kOs, fmt::format("cannot start the program in strict mode: the child ended before "
                                               "execve (exit status {})", os::ShellExitStatus(wait_status)));
}

// Waits for the child's exec stop, passing other signals on to it. An error means the child ended
// (and is reaped) or waiting failed (and it is killed).
Result<void> AwaitExecStop(os::SpawnedChild& child) {
  const std::string_view step = "wait for execve (PTRACE_EVENT_EXEC)";
  for (;;) {
    int status = 0;
    if (WaitFor(child.pid(), &status) < 0) {
      const int err = errno;
      child.KillAndReap();
      return LaunchError(step, err);
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      Error error = ChildEndedError(child, status);
      child.Detach();
      return error;
    }
    if (!WIFSTOPPED(status)) continue;
    if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) return Ok();
    // A signal-delivery stop: deliver the signal (a stray SIGTRAP is dropped).
    const int signal = WSTOPSIG(status) == SIGTRAP ? 0 : WSTOPSIG(status);
    if (ptrace(PTRACE_CONT, child.pid(), nullptr, reinterpret_cast<void*>(static_cast<long>(signal))) != 0) {
      const int err = errno;
      child.KillAndReap();
      return LaunchError(step, err);
    }
  }
}

// Runs the detached program to its end, forwarding signals sent to this process to it and its
// descendants (not the ones the kernel generated for the terminal: those reached the program's
// process group already).
int WaitForProgram(pid_t pid, const ForwardedSignals& signals) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const int signal_fd = pidfd >= 0 ? signalfd(-1, &signals.set(), SFD_CLOEXEC) : -1;
  while (signal_fd >= 0) {
    pollfd fds[2] = {{pidfd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if ((fds[1].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info) && info.ssi_code != SI_KERNEL) {
        os::SignalTree(pid, static_cast<int>(info.ssi_signo));
      }
    }
    if ((fds[0].revents & POLLIN) != 0) break;
  }
  int status = 0;
  const pid_t waited = WaitFor(pid, &status);
  if (signal_fd >= 0) close(signal_fd);
  if (pidfd >= 0) close(pidfd);
  return waited == pid ? status : -1;
}

// Starts the child stopped at its exec: PTRACE_TRACEME, options set, execve reached. When execve
// failed, `exec_errno` is its errno.
Result<os::SpawnedChild> StartTraced(const std::string& path, const std::vector<std::string>& command,
                                     int& exec_errno) {
  os::SpawnSpec spec;
  spec.path = path;
  spec.argv = command;
  spec.steps = {os::SpawnStep::Of(os::SpawnStepKind::kSignals), os::SpawnStep::Of(os::SpawnStepKind::kNoNewPrivs),
                os::SpawnStep::Of(os::SpawnStepKind::kTraceMe)};
  spec.on_trace_stop = [](pid_t pid) -> Result<void> {
    const long options = PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(options)) != 0) {
      return LaunchError("set ptrace options (PTRACE_SETOPTIONS)", errno);
    }
    return Ok();
  };
  Result<os::SpawnedChild> spawned = os::Spawn(spec);
  if (!spawned.ok()) {
    if (spawned.error().message.starts_with("cannot start")) return spawned.error();
    return CannotStart(spawned.error());
  }
  os::SpawnedChild child = std::move(spawned).value();
  child.Release();
  if (Result<void> exec_stop = AwaitExecStop(child); !exec_stop.ok()) {
    exec_errno = child.exec_errno();
    return exec_stop.error();
  }
  return child;
}

}  // namespace

Result<StrictRunResult> RunInStrictMode(const std::vector<std::string>& command) {
#if !defined(__x86_64__)
  return MakeError(ErrorCode::kUnsupported, "--strict is implemented for x86_64 only");
#endif
  if (command.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given to run");
  Result<std::string> path = os::ResolveProgram(command.front());
  if (!path.ok()) return path.error();

  ForwardedSignals signals;
  // 1. The child stops after PTRACE_TRACEME (options set) and at its exec stop: the new image is
  //    loaded and has not run an instruction yet.
  int exec_errno = 0;
  Result<os::SpawnedChild> started = StartTraced(*path, command, exec_errno);
  if (!started.ok()) {
    if (exec_errno == 0) return started.error();
    StrictRunResult failed;
    failed.exec_errno = exec_errno;
    failed.exec_error = started.error().message;
    failed.exit_status = os::ExecFailureStatus(exec_errno);
    return failed;
  }
  os::SpawnedChild child = std::move(started).value();
  const pid_t pid = child.pid();

  // 2. Make the program enter strict mode; fail closed.
  Result<InjectedStrictMode> injected = InjectStrictMode(pid);
  if (!injected.ok()) {
    child.KillAndReap();
    Error error = injected.error();
    error.message = "cannot start the program in strict mode (it was killed before it ran): " + error.message;
    return error;
  }
  if (ptrace(PTRACE_DETACH, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(injected->pending_signal))) != 0) {
    const int err = errno;
    child.KillAndReap();
    return LaunchError("detach (PTRACE_DETACH)", err);
  }
  child.Detach();

  // 3. The program runs confined; wait for it.
  const int wait_status = WaitForProgram(pid, signals);
  if (wait_status < 0) return LaunchError("wait for the program (waitpid)", errno);
  StrictRunResult result;
  result.exit_status = os::ShellExitStatus(wait_status);
  result.signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  return result;
}

}  // namespace sysfence::run
