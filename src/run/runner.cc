// SPDX-License-Identifier: Apache-2.0
#include "run/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "codegen/compile.h"
#include "run/event_sink.h"
#include "run/forwarded_signals.h"
#include "run/launcher.h"
#include "run/supervisor.h"

namespace sysfence::run {

int ExitStatusOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

Result<RunResult> RunUnderPolicy(const RunOptions& options) {
  if (options.command.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given to run");
  Result<std::string> path = ResolveProgram(options.command.front());
  if (!path.ok()) return path.error();

  const policy::Policy supervised = SupervisedPolicy(options.policy, options.mode);
  Result<bpf::Program> filter = codegen::Compile(supervised);
  if (!filter.ok()) return MakeError(filter.error().code, "cannot compile the policy: " + filter.error().message);

  std::unique_ptr<BufferedWriter> json;
  if (!options.events_path.empty()) {
    auto opened = BufferedWriter::Open(options.events_path);
    if (!opened.ok()) return opened.error();
    json = std::move(opened).value();
  }
  std::unique_ptr<BufferedWriter> human;
  if (options.human_events) human = std::make_unique<BufferedWriter>(STDERR_FILENO, false);

  LaunchSpec spec;
  spec.path = path.value();
  spec.argv = options.command;
  spec.filter = std::move(filter).value();
  spec.want_listener = NeedsListener(options.policy, options.mode);
  if (!options.policy.fs_rules.empty() || !options.policy.net_rules.empty()) {
    const policy::Policy& policy = options.policy;
    const os::LandlockMode landlock_mode = options.landlock_mode;
    spec.before_filter = [&policy, landlock_mode]() -> Result<std::string> {
      Result<os::LandlockReport> report = os::ApplyLandlock(policy.fs_rules, policy.net_rules, landlock_mode);
      if (!report.ok()) return report.error();
      if (report->status == os::LandlockStatus::kPartiallyEnforced ||
          report->status == os::LandlockStatus::kNotEnforced) {
        return report->ToString();
      }
      return std::string();
    };
  }

  ForwardedSignals signals;
  Result<LaunchedChild> started = StartChild(spec);
  if (!started.ok()) return started.error();
  LaunchedChild child = std::move(started).value();
  if (!child.note.empty() && human) {
    human->Append(fmt::format("sysfence: landlock (best-effort) could not enforce everything:\n{}\n", child.note));
    human->Flush();
  }

  // Supervision runs on its own thread from before execve to the program's end.
  std::unique_ptr<AlertDispatcher> alerts;
  if (!options.alert_command.empty()) {
    AlertOptions alert_options = options.alert_tuning;
    alert_options.command = options.alert_command;
    alerts = std::make_unique<AlertDispatcher>(std::move(alert_options));
  }
  std::unique_ptr<Supervisor> supervisor;
  std::thread supervisor_thread;
  const int stop_fd = eventfd(0, EFD_CLOEXEC);
  std::optional<Error> supervisor_error;
  if (child.listener_fd >= 0) {
    SupervisorOptions supervisor_options;
    supervisor_options.policy = &options.policy;
    supervisor_options.mode = options.mode;
    supervisor_options.json = json.get();
    supervisor_options.human = human.get();
    supervisor_options.alerts = alerts.get();
    supervisor = std::make_unique<Supervisor>(child.listener_fd, supervisor_options);
    child.listener_fd = -1;  // the supervisor owns it now
    supervisor->EnableSyncWakeUp();
    supervisor_thread = std::thread([&supervisor, &supervisor_error, stop_fd] {
      Result<void> ran = supervisor->Run(stop_fd);
      if (!ran.ok()) supervisor_error = ran.error();
    });
  }
  auto stop_supervisor = [&] {
    if (supervisor_thread.joinable()) {
      const uint64_t one = 1;
      if (write(stop_fd, &one, sizeof(one)) < 0) {
        // An eventfd write only fails on overflow; the thread is stopping either way.
      }
      supervisor_thread.join();
    }
  };

  Result<void> exec = ReleaseAndAwaitExec(child);
  if (!exec.ok()) {
    stop_supervisor();
    close(stop_fd);
    return exec.error();
  }

  // Wait for the program, forwarding signals sent to sysfence. Signals the kernel generated for
  // the terminal (si_code SI_KERNEL) reached the program's process group already.
  const int signal_fd = signalfd(-1, &signals.set(), SFD_CLOEXEC);
  int wait_status = 0;
  for (;;) {
    pollfd fds[2] = {{child.pidfd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    const int ready = poll(fds, signal_fd >= 0 ? 2 : 1, -1);
    if (ready < 0 && errno != EINTR) break;
    if (signal_fd >= 0 && (fds[1].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info) && info.ssi_code != SI_KERNEL) {
        syscall(SYS_pidfd_send_signal, child.pidfd, static_cast<int>(info.ssi_signo), nullptr, 0);
      }
    }
    if ((fds[0].revents & POLLIN) != 0) {
      while (waitpid(child.pid, &wait_status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
  }
  if (signal_fd >= 0) close(signal_fd);
  stop_supervisor();
  close(stop_fd);
  close(child.pidfd);

  RunResult result;
  result.exit_status = ExitStatusOf(wait_status);
  if (supervisor && WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL &&
      supervisor->KilledForPolicy(child.pid)) {
    // The supervisor carried out a `kill` rule: report it as the kernel's kill would be.
    result.exit_status = 128 + SIGSYS;
    result.killed_for_policy = true;
  }
  if (supervisor_error) {
    result.supervisor_failed = true;
    result.supervisor_error = supervisor_error->message;
  }
  if (alerts) alerts->Finish();
  if (supervisor) {
    const RunSummary summary = supervisor->Summary(result.exit_status);
    if (json) {
      AppendSummaryJson(json->buffer(), summary);
      json->Flush();
    }
    if (human && (summary.reported_calls > 0 || options.mode == RunMode::kMonitor)) {
      human->Append(SummaryHumanText(summary));
    }
  }
  if (human) {
    if (result.killed_for_policy) {
      human->Append("sysfence: the program was killed by a kill rule (SIGSYS)\n");
    } else if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSYS) {
      // trap and kill-thread stay in the kernel (supervised_policy.h): say where to look.
      human->Append(
          "sysfence: the program died of SIGSYS: a `trap` or `kill-thread` rule (the kernel carries those "
          "out without the supervisor, so they are not events; `dmesg | grep type=1326` names the syscall)\n");
    }
    if (result.supervisor_failed) {
      human->Append(fmt::format("sysfence: error: the supervisor stopped: {}\n", result.supervisor_error));
    }
    human->Flush();
  }
  return result;
}

}  // namespace sysfence::run
