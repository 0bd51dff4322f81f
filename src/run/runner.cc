// SPDX-License-Identifier: Apache-2.0
#include "run/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "run/event.h"

#include <fmt/format.h>

#include "codegen/compile.h"
#include "run/event_sink.h"
#include "run/forwarded_signals.h"
#include "os/audit_control.h"
#include "os/exit_status.h"
#include "os/proc.h"
#include "os/spawn.h"
#include "run/denial_observer.h"
#include "run/isolation.h"
#include "run/landlock_grants.h"
#include "run/landlock_judge.h"
#include "run/launcher.h"
#include "run/privileges.h"
#include "run/supervisor.h"

namespace sysfence::run {

namespace {

// The start record: what was run, how, and which walls and observers are in place. Written before
// the program starts, so an events file that cannot be written stops the run before it begins.
std::string StartRecordJson(const RunOptions& options, const Isolation& isolation, bool denials_observed) {
  std::string out = fmt::format("{{\"type\":\"start\",\"schema\":{},\"time\":\"{}\",\"mode\":\"{}\",\"command\":[",
                                kEventSchemaVersion, FormatRfc3339(RealtimeNs()), RunModeName(options.mode));
  for (size_t i = 0; i < options.command.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, options.command[i]);
  }
  fmt::format_to(std::back_inserter(out), "],\"isolation\":\"{}\",\"denials_observed\":{}}}\n", isolation.Summary(),
                 denials_observed);
  return out;
}

// What the child does before its filter: Landlock for the policy's fs/net rules, and in any case a
// domain for the walls of run/isolation.h. Returns the note to print (what was not enforced).
// When monitor mode observes the rules, the domain carries the walls only.
std::function<Result<std::string>()> LandlockStep(const policy::Policy& policy, os::LandlockMode landlock_mode,
                                                  bool kernel_log, bool observed) {
  const bool has_rules = !observed && (!policy.fs_rules.empty() || !policy.net_rules.empty());
  os::LandlockGrants enforced = observed ? os::LandlockGrants{} : LandlockGrantsOf(policy);
  return [grants = std::move(enforced), landlock_mode, has_rules, kernel_log]() -> Result<std::string> {
    os::LandlockOptions landlock_options;
    landlock_options.isolation = true;
    landlock_options.log_new_exec_on = kernel_log;
    Result<os::LandlockReport> report =
        os::ApplyLandlock(grants, has_rules ? landlock_mode : os::LandlockMode::kBestEffort, landlock_options);
    if (!report.ok()) return report.error();
    if (has_rules && (report->status == os::LandlockStatus::kPartiallyEnforced ||
                      report->status == os::LandlockStatus::kNotEnforced)) {
      return report->ToString();
    }
    return std::string();
  };
}

// Waits for the program, forwarding SIGINT/SIGTERM/SIGHUP sent to sysfence to the program and
// every process below it. Signals the kernel generated for the terminal (si_code SI_KERNEL)
// reached the program's process group already. With options.on_status, SIGUSR1 (blocked by
// StatusSignal) and every status_interval_ms give a status.
int WaitForProgram(const RunOptions& options, const LaunchedChild& child, ForwardedSignals& signals,
                   const StatusSink* counted) {
  sigset_t read_set = signals.set();
  if (options.on_status) sigaddset(&read_set, SIGUSR1);
  const int signal_fd = signalfd(-1, &read_set, SFD_CLOEXEC);
  const auto started = std::chrono::steady_clock::now();
  const int timeout_ms = options.on_status && options.status_interval_ms > 0
                             ? static_cast<int>(std::min<int64_t>(options.status_interval_ms, INT32_MAX))
                             : -1;
  auto report_status = [&] {
    RunStatus status;
    status.pid = child.pid;
    status.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    status.observed = counted != nullptr;
    if (counted != nullptr) {
      status.reported_calls = counted->calls();
      status.distinct_shapes = counted->shapes();
    }
    options.on_status(status);
  };
  int wait_status = 0;
  for (;;) {
    pollfd fds[2] = {{child.pidfd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    const int ready = poll(fds, signal_fd >= 0 ? 2 : 1, timeout_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready == 0) report_status();  // --progress: the interval passed
    if (signal_fd >= 0 && (fds[1].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
        if (info.ssi_signo == SIGUSR1) {
          report_status();
        } else if (info.ssi_code != SI_KERNEL) {
          os::SignalTree(child.pid, static_cast<int>(info.ssi_signo));
        }
      }
    }
    if ((fds[0].revents & POLLIN) != 0) {
      while (waitpid(child.pid, &wait_status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
  }
  if (signal_fd >= 0) close(signal_fd);
  return wait_status;
}

// The supervisor's thread: from before execve to the program's end.
class SupervisionThread {
 public:
  explicit SupervisionThread(Supervisor* supervisor) : supervisor_(supervisor), stop_fd_(eventfd(0, EFD_CLOEXEC)) {
    if (supervisor_ == nullptr) return;
    thread_ = std::thread([this] {
      Result<void> ran = supervisor_->Run(stop_fd_);
      if (!ran.ok()) error_ = ran.error();
    });
  }
  ~SupervisionThread() {
    Stop();
    if (stop_fd_ >= 0) close(stop_fd_);
  }
  // Stops the supervisor (it first reads the denial records still in flight) and joins it.
  void Stop() {
    if (!thread_.joinable()) return;
    const uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof(one)) < 0) {
      // An eventfd write only fails on overflow; the thread is stopping either way.
    }
    thread_.join();
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  Supervisor* supervisor_;
  int stop_fd_;
  std::thread thread_;
  std::optional<Error> error_;
};

// The lines on stderr after the program ended.
void ReportEnd(BufferedWriter& human, const RunResult& result, int wait_status, bool denials_observed) {
  if (result.killed_for_policy) {
    human.Append("sysfence: the program was killed by a kill rule (SIGSYS)\n");
  } else if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSYS) {
    human.Append(denials_observed
                     ? "sysfence: the program died of SIGSYS: a `trap`, `kill` or `kill-thread` rule (see the "
                       "events above)\n"
                     : "sysfence: the program died of SIGSYS: a `trap`, `kill` or `kill-thread` rule (without root "
                       "sysfence cannot read the kernel's audit records; `dmesg | grep type=1326` names the "
                       "syscall)\n");
  }
  if (result.supervisor_failed) {
    human.Append(fmt::format("sysfence: error: the supervisor stopped: {}\n", result.supervisor_error));
  }
  if (result.events_failed) {
    human.Append(fmt::format("sysfence: error: events could not all be written (disk full or closed pipe): the "
                             "record is incomplete; the program's exit status was {}\n",
                             result.exit_status));
  }
  human.Flush();
}

bool HasLandlockRules(const policy::Policy& policy) { return !policy.fs_rules.empty() || !policy.net_rules.empty(); }

// Why the kernel will not log Landlock denials ("" when it will): Landlock writes its records only
// while audit is enabled, unlike seccomp's.
std::string LandlockAuditOff() {
  Result<os::AuditStatus> status = os::GetAuditStatus();
  if (!status.ok()) return "cannot read the audit status: " + status.error().message;
  if (status->enabled == 0) {
    return "kernel audit is disabled (Landlock logs only while it is enabled: `auditctl -e 1`, auditd, or "
           "`sysfence watch --audit-enable`)";
  }
  return "";
}

// The events file (with its start record, written before anything starts) and the terminal lines
// before the program starts.
struct Outputs {
  std::unique_ptr<BufferedWriter> json;
  std::unique_ptr<BufferedWriter> human;
};

Result<Outputs> OpenOutputs(const RunOptions& options, const Isolation& isolation, bool denials_observed,
                            const std::string& denials_unavailable) {
  Outputs outputs;
  if (!options.events_path.empty()) {
    auto opened = BufferedWriter::Open(options.events_path);
    if (!opened.ok()) return opened.error();
    outputs.json = std::move(opened).value();
    outputs.json->Append(StartRecordJson(options, isolation, denials_observed));
    outputs.json->Flush();
    if (outputs.json->failed_writes() > 0) {
      return MakeError(ErrorCode::kOs, fmt::format("cannot write events to '{}': {}; nothing was started",
                                                   options.events_path, std::strerror(outputs.json->last_error())));
    }
  }
  if (options.human_events) outputs.human = std::make_unique<BufferedWriter>(STDERR_FILENO, false);
  BufferedWriter* human = outputs.human.get();
  if (human && !isolation.complete()) {
    human->Append(fmt::format("sysfence: warning: --isolation best-effort: {}\n", isolation.MissingText()));
  }
  if (human && options.mode == RunMode::kMonitor) {
    for (const std::string& note : MonitorPrivilegeNotes(options.policy)) {
      human->Append(fmt::format("sysfence: note: {}\n", note));
    }
  }
  if (human && options.mode == RunMode::kEnforce && !denials_observed) {
    human->Append(fmt::format("sysfence: note: denials are enforced by the kernel but not reported: {}\n",
                              denials_unavailable));
  }
  if (human && options.mode == RunMode::kEnforce && denials_observed && HasLandlockRules(options.policy)) {
    const std::string off = LandlockAuditOff();
    if (!off.empty()) {
      human->Append(fmt::format("sysfence: note: Landlock denials are enforced but not reported: {}\n", off));
    }
  }
  if (human) human->Flush();
  return outputs;
}

// Enforce mode: the kernel's own denials, read from its audit records (root only).
std::optional<DenialObserver> OpenDenialObserver(RunMode mode, std::string& unavailable) {
  std::optional<DenialObserver> denials;
  if (mode != RunMode::kEnforce) return denials;
  Result<DenialObserver> opened = DenialObserver::Open();
  if (opened.ok()) {
    denials.emplace(std::move(opened).value());
  } else {
    unavailable = opened.error().message;
  }
  return denials;
}

// What monitor mode observes of the fs/net rules (nothing when they are enforced).
LandlockObservation ObservationOf(const RunOptions& options) {
  if (!ObservesLandlock(options)) return {};
  return {!options.policy.fs_rules.empty(), !options.policy.net_rules.empty()};
}

// Monitor mode's user-space judge of the fs/net rules, planned for this kernel's Landlock ABI (so
// it reports what enforcement here would deny). A rule path that does not exist is bad input.
Result<std::optional<LandlockJudge>> MakeLandlockJudge(const RunOptions& options) {
  std::optional<LandlockJudge> judge;
  if (!ObservesLandlock(options)) return judge;
  const int abi = os::ProbeLandlockAbi();
  Result<os::LandlockPlan> plan =
      os::PlanLandlock(LandlockGrantsOf(options.policy), std::max(abi, 1), options.landlock_mode);
  if (!plan.ok()) return plan.error();
  Result<LandlockJudge> made = LandlockJudge::FromPlan(*plan);
  if (!made.ok()) return made.error();
  judge.emplace(std::move(made).value());
  return judge;
}

// Starts the program up to its execve and hides this process from it.
Result<LaunchedChild> Launch(const RunOptions& options, const std::string& path, bpf::Program filter,
                             bool log_denials) {
  LaunchSpec spec;
  spec.path = path;
  spec.argv = options.command;
  spec.filter = std::move(filter);
  spec.want_listener = NeedsListener(options.policy, options.mode, ObservationOf(options));
  spec.log_denials = log_denials;
  // Landlock denials after exec reach the audit stream whenever seccomp decisions do.
  spec.before_filter =
      LandlockStep(options.policy, options.landlock_mode, spec.log_denials, ObservesLandlock(options));
  // Monitor mode never breaks the program: the privilege lines are reported, not applied.
  if (options.mode == RunMode::kEnforce) {
    spec.namespaces = CloneFlagsOf(options.policy);
    spec.limits = ResourceLimitsOf(options.policy);
    if (options.policy.caps) spec.keep_capabilities = options.policy.caps->keep;
  }
  Result<LaunchedChild> started = StartChild(spec);
  if (!started.ok()) return started.error();
  LaunchedChild child = std::move(started).value();
  // The listener is ours now: from here on nothing of this process may be read by the program.
  if (Result<void> hidden = MakeSelfNonDumpable(); !hidden.ok()) {
    child.handover.reset();  // kills and reaps the child waiting before its execve
    close(child.pidfd);
    if (child.listener_fd >= 0) close(child.listener_fd);
    return MakeError(ErrorCode::kOs, "cannot start the program: " + hidden.error().message);
  }
  return child;
}

// The supervisor for the child's listener and/or the denial observer (null when neither exists).
std::unique_ptr<Supervisor> MakeSupervisor(const RunOptions& options, LaunchedChild& child, const Outputs& outputs,
                                           AlertDispatcher* alerts, DenialObserver* denials, StatusSink* status,
                                           const LandlockJudge* landlock) {
  if (child.listener_fd < 0 && denials == nullptr) return nullptr;
  SupervisorOptions supervisor_options;
  supervisor_options.policy = &options.policy;
  supervisor_options.mode = options.mode;
  supervisor_options.json = outputs.json.get();
  supervisor_options.human = outputs.human.get();
  supervisor_options.alerts = alerts;
  supervisor_options.denials = denials;
  supervisor_options.landlock = landlock;
  supervisor_options.max_events_per_shape = options.max_events_per_shape;
  supervisor_options.max_event_bytes = options.max_event_bytes;
  if (status != nullptr) supervisor_options.sinks.push_back(status);
  auto supervisor = std::make_unique<Supervisor>(child.listener_fd, supervisor_options);
  if (child.listener_fd >= 0) supervisor->EnableSyncWakeUp();
  child.listener_fd = -1;  // the supervisor owns it now
  return supervisor;
}

// The summary (events file and terminal) and the closing lines.
void Finish(const RunOptions& options, const Isolation& isolation, Supervisor* supervisor, Outputs& outputs,
            RunResult& result, int wait_status, bool denials_observed) {
  if (supervisor) {
    RunSummary summary = supervisor->Summary(result.exit_status);
    summary.isolation = isolation.Summary();
    summary.landlock = !HasLandlockRules(options.policy) ? "none"
                       : ObservesLandlock(options)         ? "observed"
                                                           : "enforced";
    if (outputs.json) AppendSummaryJson(outputs.json->buffer(), summary);
    if (outputs.human && (summary.reported_calls > 0 || summary.landlock_reported > 0 || summary.audit_disabled > 0 ||
                          summary.audit_drain_timed_out || options.mode == RunMode::kMonitor)) {
      outputs.human->Append(SummaryHumanText(summary));
    }
  }
  if (outputs.json) {
    outputs.json->Flush();
    result.events_failed = outputs.json->failed_writes() > 0;
  }
  if (outputs.human) ReportEnd(*outputs.human, result, wait_status, denials_observed);
}

}  // namespace

bool ObservesLandlock(const RunOptions& options) {
  return options.mode == RunMode::kMonitor && !options.landlock_enforce &&
         (!options.policy.fs_rules.empty() || !options.policy.net_rules.empty());
}

Result<RunResult> RunUnderPolicy(const RunOptions& options) {
  if (options.command.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given to run");
  Result<std::string> path = os::ResolveProgram(options.command.front());
  if (!path.ok()) return path.error();
  Result<Isolation> isolation = CheckIsolation(options.isolation_mode);
  if (!isolation.ok()) return isolation.error();
  Result<std::optional<LandlockJudge>> landlock = MakeLandlockJudge(options);
  if (!landlock.ok()) return landlock.error();
  Result<bpf::Program> filter = codegen::Compile(SupervisedPolicy(options.policy, options.mode, ObservationOf(options)));
  if (!filter.ok()) return MakeError(filter.error().code, "cannot compile the policy: " + filter.error().message);
  std::string denials_unavailable;
  std::optional<DenialObserver> denials = OpenDenialObserver(options.mode, denials_unavailable);
  Result<Outputs> opened = OpenOutputs(options, *isolation, denials.has_value(), denials_unavailable);
  if (!opened.ok()) return opened.error();
  Outputs outputs = std::move(opened).value();

  ForwardedSignals signals;
  // Before any thread starts (they inherit the mask): SIGUSR1 asks for a status, never ends sysfence.
  StatusSignal status_signal(static_cast<bool>(options.on_status));
  StatusSink status_sink;
  Result<LaunchedChild> started = Launch(options, *path, std::move(filter).value(), denials.has_value() || options.kernel_log);
  if (!started.ok()) return started.error();
  LaunchedChild child = std::move(started).value();
  if (denials) denials->Follow(child.pid);
  if (!child.note.empty() && outputs.human) {
    outputs.human->Append(
        fmt::format("sysfence: landlock (best-effort) could not enforce everything:\n{}\n", child.note));
    outputs.human->Flush();
  }
  std::unique_ptr<AlertDispatcher> alerts;
  if (!options.alert_command.empty()) {
    AlertOptions alert_options = options.alert_tuning;
    alert_options.command = options.alert_command;
    alerts = std::make_unique<AlertDispatcher>(std::move(alert_options));
  }
  std::unique_ptr<Supervisor> supervisor =
      MakeSupervisor(options, child, outputs, alerts.get(), denials ? &*denials : nullptr, &status_sink,
                     landlock->has_value() ? &**landlock : nullptr);
  SupervisionThread supervision(supervisor.get());

  if (Result<void> exec = ReleaseAndAwaitExec(child); !exec.ok()) {
    supervision.Stop();
    if (child.exec_errno == 0) return exec.error();
    RunResult failed;
    failed.exec_errno = child.exec_errno;
    failed.exec_error = exec.error().message;
    failed.exit_status = os::ExecFailureStatus(child.exec_errno);
    return failed;
  }
  const int wait_status = WaitForProgram(options, child, signals, supervisor ? &status_sink : nullptr);
  supervision.Stop();
  close(child.pidfd);

  RunResult result;
  result.exit_status = os::ShellExitStatus(wait_status);
  result.killed_for_policy = supervisor && WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSYS &&
                             supervisor->KilledForPolicy(child.pid);
  if (supervision.error()) {
    result.supervisor_failed = true;
    result.supervisor_error = supervision.error()->message;
  }
  if (alerts) alerts->Finish();
  Finish(options, *isolation, supervisor.get(), outputs, result, wait_status, denials.has_value());
  return result;
}

}  // namespace sysfence::run
