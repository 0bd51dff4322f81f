// SPDX-License-Identifier: Apache-2.0
#include "run/strict_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
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
#include "run/forwarded_signals.h"
#include "run/launcher.h"
#include "run/runner.h"
#include "run/strict_inject.h"

extern char** environ;

namespace sysfence::run {
namespace {

// Steps of the child before the new image runs, for the error message.
enum class ChildStep : int { kSignals = 1, kNoNewPrivs, kTraceMe, kExec };

std::string_view ChildStepName(ChildStep step) {
  switch (step) {
    case ChildStep::kSignals: return "signal setup";
    case ChildStep::kNoNewPrivs: return "no_new_privs (prctl PR_SET_NO_NEW_PRIVS)";
    case ChildStep::kTraceMe: return "ptrace(PTRACE_TRACEME)";
    case ChildStep::kExec: return "execve";
  }
  return "start";
}

// What a failing child writes to its close-on-exec status pipe.
struct ChildFailure {
  int step = 0;
  int error = 0;
};

[[noreturn]] void ChildFail(int status_fd, ChildStep step, int err) {
  const ChildFailure failure{static_cast<int>(step), err};
  if (write(status_fd, &failure, sizeof(failure)) != sizeof(failure)) {
    // Nothing else to do: the parent reports that the child died.
  }
  _exit(127);
}

[[noreturn]] void ChildMain(const char* path, char* const* argv, int status_fd) {
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, nullptr) != 0) ChildFail(status_fd, ChildStep::kSignals, errno);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ChildFail(status_fd, ChildStep::kNoNewPrivs, errno);
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) ChildFail(status_fd, ChildStep::kTraceMe, errno);
  // Stop so the parent can set the ptrace options (exec event, kill on tracer exit) before execve.
  raise(SIGSTOP);
  execve(path, argv, environ);
  ChildFail(status_fd, ChildStep::kExec, errno);
}

Error LaunchError(std::string_view step, int err) {
  const ErrorCode code = err == EPERM || err == EACCES ? ErrorCode::kPermission : ErrorCode::kOs;
  return MakeError(code, fmt::format("cannot start the program in strict mode: step '{}' failed: {}", step,
                                     std::strerror(err)));
}

// waitpid, retried on EINTR; -1 with errno on failure.
pid_t WaitFor(pid_t pid, int* status) {
  pid_t waited;
  do {
    waited = waitpid(pid, status, __WALL);
  } while (waited < 0 && errno == EINTR);
  return waited;
}

// Kills and reaps a child that must not run on.
void KillChild(pid_t pid) {
  kill(pid, SIGKILL);
  int status;
  WaitFor(pid, &status);
}

// The error for a child that ended before its new image ran, from its status pipe.
Error ChildEndedError(int status_fd, int wait_status) {
  ChildFailure failure;
  const ssize_t n = read(status_fd, &failure, sizeof(failure));
  if (n == sizeof(failure)) return LaunchError(ChildStepName(static_cast<ChildStep>(failure.step)), failure.error);
  return MakeError(ErrorCode::kOs, fmt::format("cannot start the program in strict mode: the child ended before "
                                               "execve (exit status {})", os::ShellExitStatus(wait_status)));
}

// Waits for the child's stop that `accept` recognizes, passing other signals on to it. An error
// means the child ended (and is reaped) or waiting failed (and it is killed).
template <typename Accept>
Result<void> AwaitStop(pid_t pid, int status_fd, std::string_view step, Accept accept) {
  for (;;) {
    int status = 0;
    if (WaitFor(pid, &status) < 0) {
      const int err = errno;
      KillChild(pid);
      return LaunchError(step, err);
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) return ChildEndedError(status_fd, status);
    if (!WIFSTOPPED(status)) continue;
    if (accept(status)) return Ok();
    // A signal-delivery stop: deliver the signal (a stray SIGTRAP is dropped).
    const int signal = WSTOPSIG(status) == SIGTRAP ? 0 : WSTOPSIG(status);
    if (ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(signal))) != 0) {
      const int err = errno;
      KillChild(pid);
      return LaunchError(step, err);
    }
  }
}

// Runs the detached program to its end, forwarding signals sent to this process (not the ones the
// kernel generated for the terminal: those reached the program's process group already).
int WaitForProgram(pid_t pid, const ForwardedSignals& signals) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const int signal_fd = pidfd >= 0 ? signalfd(-1, &signals.set(), SFD_CLOEXEC) : -1;
  while (signal_fd >= 0) {
    pollfd fds[2] = {{pidfd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if ((fds[1].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info) && info.ssi_code != SI_KERNEL) {
        syscall(SYS_pidfd_send_signal, pidfd, static_cast<int>(info.ssi_signo), nullptr, 0);
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

}  // namespace

Result<StrictRunResult> RunInStrictMode(const std::vector<std::string>& command) {
#if !defined(__x86_64__)
  return MakeError(ErrorCode::kUnsupported, "--strict is implemented for x86_64 only");
#endif
  if (command.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given to run");
  Result<std::string> path = ResolveProgram(command.front());
  if (!path.ok()) return path.error();
  std::vector<char*> argv;
  for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return LaunchError("status pipe (pipe2)", errno);

  ForwardedSignals signals;
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    return LaunchError("fork", err);
  }
  if (pid == 0) {
    close(status_pipe[0]);
    ChildMain(path->c_str(), argv.data(), status_pipe[1]);
  }
  close(status_pipe[1]);
  const int status_fd = status_pipe[0];
  auto fail = [status_fd](Error error) -> Result<StrictRunResult> {
    close(status_fd);
    return error;
  };

  // 1. The child stops itself after PTRACE_TRACEME; set the options before it execs.
  Result<void> stopped = AwaitStop(pid, status_fd, "wait for the child (waitpid)",
                                   [](int status) { return WSTOPSIG(status) == SIGSTOP; });
  if (!stopped.ok()) return fail(stopped.error());
  const long options = PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  if (ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(options)) != 0 ||
      ptrace(PTRACE_CONT, pid, nullptr, nullptr) != 0) {
    const int err = errno;
    KillChild(pid);
    return fail(LaunchError("set ptrace options (PTRACE_SETOPTIONS)", err));
  }

  // 2. The exec stop: the new image is loaded and has not run an instruction yet.
  Result<void> exec_stop = AwaitStop(pid, status_fd, "wait for execve (PTRACE_EVENT_EXEC)", [](int status) {
    return (status >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8));
  });
  if (!exec_stop.ok()) return fail(exec_stop.error());

  // 3. Make the program enter strict mode; fail closed.
  Result<InjectedStrictMode> injected = InjectStrictMode(pid);
  if (!injected.ok()) {
    KillChild(pid);
    Error error = injected.error();
    error.message = "cannot start the program in strict mode (it was killed before it ran): " + error.message;
    return fail(error);
  }
  if (ptrace(PTRACE_DETACH, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(injected->pending_signal))) != 0) {
    const int err = errno;
    KillChild(pid);
    return fail(LaunchError("detach (PTRACE_DETACH)", err));
  }
  close(status_fd);

  // 4. The program runs confined; wait for it.
  const int wait_status = WaitForProgram(pid, signals);
  if (wait_status < 0) return LaunchError("wait for the program (waitpid)", errno);
  StrictRunResult result;
  result.exit_status = os::ShellExitStatus(wait_status);
  result.signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  return result;
}

}  // namespace sysfence::run
