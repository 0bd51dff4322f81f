// SPDX-License-Identifier: Apache-2.0
#include "watch/watcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iterator>
#include <unordered_map>

#include "os/audit_control.h"
#include "os/landlock.h"
#include "run/event.h"
#include "run/event_sink.h"
#include "watch/alert_dedup.h"
#include "watch/metrics.h"
#include "watch/metrics_server.h"
#include "watch/record_assembler.h"
#include "watch/record_source.h"

namespace sysfence::watch {
namespace {

int64_t MonotonicMs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// Holds `path` locked (flock) for the watcher's lifetime, with the holder's pid inside.
Result<os::UniqueFd> LockWatcher(const std::string& path) {
  os::UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot open the lock file {}: {}", path, std::strerror(errno)));
  }
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    const ssize_t got = pread(fd.get(), holder, sizeof(holder) - 1, 0);
    std::string pid = got > 0 ? std::string(holder, static_cast<size_t>(got)) : "?";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return MakeError(ErrorCode::kOs, fmt::format("another sysfence watch (pid {}) holds {}: one watcher per "
                                                 "machine is enough (or give --lock-file)",
                                                 pid, path));
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd.get(), 0) != 0 || pwrite(fd.get(), pid.data(), pid.size(), 0) < 0) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot write the lock file {}: {}", path, std::strerror(errno)));
  }
  return fd;
}

// SIGHUP (reopen), SIGTERM and SIGINT (stop), SIGUSR1 (a status line, when asked for): read
// through a signalfd, so blocked.
sigset_t WatchedSignals(const WatchOptions& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (options.on_status) sigaddset(&signals, SIGUSR1);
  return signals;
}

}  // namespace

class WatcherImpl {
 public:
  WatcherImpl(const WatchOptions& options, os::UniqueFd lock, RecordReader reader, std::optional<MetricsServer> server,
              std::unique_ptr<run::BufferedWriter> output)
      : options_(options),
        lock_(std::move(lock)),
        reader_(std::move(reader)),
        server_(std::move(server)),
        output_(std::move(output)),
        metrics_(options.max_series),
        dedup_(options.alert_dedup_ms) {}

  ~WatcherImpl() { RestoreAudit(); }

  Result<void> Prepare(std::vector<std::string>* notes);
  Result<WatchTotals> Run();
  [[nodiscard]] uint16_t metrics_port() const { return server_ ? server_->port() : 0; }
  [[nodiscard]] std::string metrics_address() const { return server_ ? server_->address() : std::string(); }

 private:
  struct CachedContainer {
    ContainerInfo info;
    bool seen = false;
    int64_t at_ms = 0;
  };

  void OnViolation(Violation& violation);
  void OnLost(std::string_view cause, uint64_t count);
  void PollStatus();
  void Reopen();
  void WriteLine(const std::string& line);
  void SyncCounters();
  std::string StartJson() const;
  std::string StopJson(std::string_view error) const;
  void RestoreAudit();

  WatchOptions options_;
  os::UniqueFd lock_;
  RecordReader reader_;
  std::optional<MetricsServer> server_;
  std::unique_ptr<run::BufferedWriter> output_;
  WatchMetrics metrics_;
  AlertDedup dedup_;
  std::unique_ptr<run::AlertDispatcher> alerts_;
  RecordAssembler assembler_;
  std::unordered_map<int, CachedContainer> containers_;
  std::optional<os::AuditStatus> status_;  ///< the last AUDIT_GET (none when refused)
  uint32_t kernel_lost_baseline_ = 0;
  std::optional<uint32_t> restore_enabled_;  ///< audit's enabled flag to put back at exit
  int landlock_abi_ = 0;
  WatchTotals totals_;
  uint64_t failed_writes_before_ = 0;  ///< write failures of outputs closed by a reopen
  int64_t now_ms_ = 0;
};

Result<void> WatcherImpl::Prepare(std::vector<std::string>* notes) {
  landlock_abi_ = os::ProbeLandlockAbi();
  Result<os::AuditStatus> status = os::GetAuditStatus();
  if (!status.ok()) {
    notes->push_back("the kernel's audit status is unavailable (" + status.error().message +
                     "): the kernel's own lost-record counter and backlog are not watched");
  } else {
    os::AuditSettings settings;
    settings.backlog_limit = options_.audit_backlog_limit;
    settings.rate_limit = options_.audit_rate_limit;
    if (options_.audit_enable && status->enabled == 0) {
      settings.enabled = 1;
      restore_enabled_ = 0;
    }
    Result<void> set = os::SetAuditSettings(settings);
    if (!set.ok()) {
      restore_enabled_.reset();
      return set.error();
    }
    status = os::GetAuditStatus();
    if (!status.ok()) return status.error();
    status_ = *status;
    kernel_lost_baseline_ = status->lost;
    if (status->enabled == 0 && landlock_abi_ >= 7) {
      notes->push_back("audit is disabled: seccomp records still arrive, but Landlock logs no denials "
                       "(--audit-enable, or auditctl -e 1, turns audit on)");
    }
  }
  if (!options_.alert_command.empty()) {
    // The alert worker thread must not take SIGTERM/SIGHUP (their default action would end the
    // process): block them before it starts, so it inherits the mask; Run reads them.
    sigset_t signals = WatchedSignals(options_);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    run::AlertOptions alert_options = options_.alert_tuning;
    alert_options.command = options_.alert_command;
    alerts_ = std::make_unique<run::AlertDispatcher>(alert_options);
  }
  if (options_.on_status) {
    // From the start record on, SIGUSR1 asks for a status (Run reads it) and never ends the watch.
    sigset_t signals = WatchedSignals(options_);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
  }
  WriteLine(StartJson());
  output_->Flush();
  return Ok();
}

void WatcherImpl::RestoreAudit() {
  if (!restore_enabled_) return;
  os::AuditSettings settings;
  settings.enabled = *restore_enabled_;
  (void)os::SetAuditSettings(settings);
  restore_enabled_.reset();
}

std::string WatcherImpl::StartJson() const {
  std::string out = fmt::format("{{\"type\":\"start\",\"schema\":{},\"mode\":\"watch\",\"time\":\"{}\",\"source\":\"{}\","
                                "\"landlock_abi\":{}",
                                run::kEventSchemaVersion, run::FormatRfc3339(run::RealtimeNs()), reader_.name(),
                                landlock_abi_);
  if (status_) {
    fmt::format_to(std::back_inserter(out),
                   ",\"audit\":{{\"enabled\":{},\"daemon_pid\":{},\"rate_limit\":{},\"backlog_limit\":{},\"lost\":{}}}",
                   status_->enabled, status_->pid, status_->rate_limit, status_->backlog_limit, status_->lost);
  } else {
    out += ",\"audit\":null";
  }
  fmt::format_to(std::back_inserter(out), ",\"metrics\":{}}}\n",
                 server_ ? fmt::format("\"{}\"", server_->address()) : "null");
  return out;
}

std::string WatcherImpl::StopJson(std::string_view error) const {
  std::string out = fmt::format(
      "{{\"type\":\"stop\",\"schema\":{},\"mode\":\"watch\",\"time\":\"{}\",\"records\":{},\"violations\":{},"
      "\"records_lost\":{},\"malformed\":{},\"reopened\":{},\"alerts_sent\":{},\"alerts_dropped\":{},"
      "\"alerts_deduplicated\":{},\"error\":",
      run::kEventSchemaVersion, run::FormatRfc3339(run::RealtimeNs()), totals_.records, totals_.violations,
      totals_.lost, totals_.malformed, totals_.reopened, alerts_ ? alerts_->sent() : 0, alerts_ ? alerts_->dropped() : 0,
      dedup_.suppressed());
  if (error.empty()) {
    out += "null";
  } else {
    run::AppendJsonString(out, error);
  }
  out += "}\n";
  return out;
}

void WatcherImpl::WriteLine(const std::string& line) {
  output_->Append(line);
  ++totals_.events_written;
}

void WatcherImpl::OnViolation(Violation& violation) {
  ++totals_.violations;
  // The container, while the process exists; cached briefly so a storm reads /proc once per pid.
  auto cached = containers_.find(violation.pid);
  if (cached == containers_.end() || now_ms_ - cached->second.at_ms > 1000) {
    if (containers_.size() >= 8192) containers_.clear();
    const std::optional<ContainerInfo> info = ContainerOfProcess(violation.pid);
    cached = containers_.insert_or_assign(violation.pid, CachedContainer{info.value_or(ContainerInfo{}), info.has_value(), now_ms_})
                 .first;
  }
  violation.container = cached->second.info;
  violation.process_seen = cached->second.seen;
  metrics_.CountViolation(violation);
  std::string line;
  AppendViolationJson(line, violation);
  if (alerts_ && dedup_.ShouldAlert(violation, now_ms_)) alerts_->Submit(line.substr(0, line.size() - 1));
  WriteLine(line);
  output_->MaybeFlush();
}

void WatcherImpl::OnLost(std::string_view cause, uint64_t count) {
  totals_.lost += count;
  metrics_.CountLost(cause, count);
  std::string line;
  AppendLostJson(line, run::RealtimeNs(), cause, count, totals_.lost);
  WriteLine(line);
}

void WatcherImpl::PollStatus() {
  if (!status_) return;
  Result<os::AuditStatus> status = os::GetAuditStatus();
  if (!status.ok()) return;  // transient; the next interval tries again
  // The kernel's counter covers every reader and wraps at 2^32: report what grew.
  const uint32_t grew = status->lost - std::max(status_->lost, kernel_lost_baseline_);
  if (status->lost != status_->lost && grew != 0) OnLost("kernel-audit-lost", grew);
  status_ = *status;
  metrics_.SetAuditStatus(status->enabled, status->backlog, status->backlog_limit, status->lost);
}

void WatcherImpl::Reopen() {
  output_->Flush();
  if (options_.output_path == "-") return;
  Result<std::unique_ptr<run::BufferedWriter>> reopened = run::BufferedWriter::Open(options_.output_path);
  if (!reopened.ok()) {
    // Keep writing to the old file rather than stop: the event says why.
    std::string line = fmt::format("{{\"type\":\"reopen-failed\",\"schema\":{},\"mode\":\"watch\",\"time\":\"{}\",\"error\":",
                                   run::kEventSchemaVersion, run::FormatRfc3339(run::RealtimeNs()));
    run::AppendJsonString(line, reopened.error().message);
    line += "}\n";
    WriteLine(line);
    return;
  }
  failed_writes_before_ += output_->failed_writes();
  output_ = std::move(reopened).value();
  ++totals_.reopened;
}

void WatcherImpl::SyncCounters() {
  const uint64_t malformed = assembler_.malformed();
  for (; totals_.malformed < malformed; ++totals_.malformed) metrics_.CountMalformed();
  totals_.failed_writes = failed_writes_before_ + output_->failed_writes();
  metrics_.SetOutput(totals_.events_written, totals_.failed_writes);
  if (alerts_) metrics_.SetAlerts(alerts_->sent(), alerts_->dropped());
}

Result<WatchTotals> WatcherImpl::Run() {
  sigset_t signals = WatchedSignals(options_);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  os::UniqueFd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd.valid()) return MakeError(ErrorCode::kOs, fmt::format("signalfd: {}", std::strerror(errno)));

  const auto on_violation = [this](Violation& violation) { OnViolation(violation); };
  const auto on_record = [&](uint16_t type, std::string_view text) {
    ++totals_.records;
    metrics_.CountRecord(type);
    assembler_.Add(type, text, now_ms_, on_violation);
  };
  const auto on_lost = [this](std::string_view cause, uint64_t count) { OnLost(cause, count); };
  const auto render = [this] {
    SyncCounters();
    return metrics_.Render();
  };
  const int64_t started_ms = MonotonicMs();
  int64_t next_status_ms = started_ms;
  const bool progress = options_.on_status && options_.progress_interval_ms > 0;
  int64_t next_progress_ms = started_ms + options_.progress_interval_ms;
  const auto report_status = [&] {
    SyncCounters();
    options_.on_status(totals_, static_cast<double>(MonotonicMs() - started_ms) / 1000.0);
  };
  std::string error;
  for (bool stop = false; !stop;) {
    now_ms_ = MonotonicMs();
    if (now_ms_ >= next_status_ms) {
      PollStatus();
      SyncCounters();
      next_status_ms = now_ms_ + options_.status_interval_ms;
    }
    assembler_.Expire(now_ms_, on_violation);
    if (progress && now_ms_ >= next_progress_ms) {
      report_status();
      next_progress_ms = now_ms_ + options_.progress_interval_ms;
    }
    if (options_.max_runtime_ms > 0 && now_ms_ - started_ms >= options_.max_runtime_ms) break;
    std::vector<pollfd> fds{{signal_fd.get(), POLLIN, 0}, {reader_.fd(), POLLIN, 0}};
    if (server_) {
      for (int fd : server_->fds()) fds.push_back({fd, POLLIN, 0});
    }
    int64_t wait_ms = output_->pending() ? 0 : std::min<int64_t>(next_status_ms - now_ms_, assembler_.pending() ? 50 : 1000);
    if (progress) wait_ms = std::min<int64_t>(wait_ms, next_progress_ms - now_ms_);
    const int ready = poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait_ms, 0)));
    if (ready < 0 && errno != EINTR) {
      error = fmt::format("poll: {}", std::strerror(errno));
      break;
    }
    now_ms_ = MonotonicMs();
    if (ready <= 0) {
      output_->Flush();
      continue;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      while (read(signal_fd.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
        if (info.ssi_signo == SIGHUP) {
          Reopen();
        } else if (info.ssi_signo == SIGUSR1) {
          report_status();
        } else {
          stop = true;
        }
      }
    }
    if (fds[1].revents != 0) {
      Result<void> drained = reader_.Drain(on_record, on_lost);
      if (!drained.ok()) {
        error = drained.error().message;
        break;
      }
    }
    if (server_ && ready > 0) server_->Handle(render, now_ms_);
  }
  // The last records: whatever is queued now, and Landlock events still waiting for their end.
  (void)reader_.Drain(on_record, on_lost);
  assembler_.Expire(now_ms_, on_violation, true);
  SyncCounters();
  if (alerts_) alerts_->Finish();
  WriteLine(StopJson(error));
  output_->Flush();
  RestoreAudit();
  sigprocmask(SIG_UNBLOCK, &signals, nullptr);
  if (!error.empty()) return MakeError(ErrorCode::kOs, "the watch stopped: " + error);
  return totals_;
}

Result<std::unique_ptr<Watcher>> Watcher::Open(const WatchOptions& options, std::vector<std::string>* notes) {
  // Everything that can be refused is acquired before anything is written.
  std::optional<ListenAddress> address;
  if (!options.metrics_address.empty()) {
    Result<ListenAddress> parsed = ParseListenAddress(options.metrics_address);
    if (!parsed.ok()) return parsed.error();
    address = *parsed;
  }
  Result<os::UniqueFd> lock = LockWatcher(options.lock_path);
  if (!lock.ok()) return lock.error();
  Result<RecordReader> reader = RecordReader::Open(options.source, options.receive_buffer_bytes, notes);
  if (!reader.ok()) return reader.error();
  std::optional<MetricsServer> server;
  if (address) {
    Result<MetricsServer> listening = MetricsServer::Listen(*address);
    if (!listening.ok()) return listening.error();
    server.emplace(std::move(listening).value());
  }
  Result<std::unique_ptr<run::BufferedWriter>> output = run::BufferedWriter::Open(options.output_path);
  if (!output.ok()) return output.error();
  auto impl = std::make_unique<WatcherImpl>(options, std::move(lock).value(), std::move(reader).value(),
                                            std::move(server), std::move(output).value());
  Result<void> prepared = impl->Prepare(notes);
  if (!prepared.ok()) return prepared.error();
  return std::unique_ptr<Watcher>(new Watcher(std::move(impl)));
}

Watcher::Watcher(std::unique_ptr<WatcherImpl> impl) : impl_(std::move(impl)) {}
Watcher::~Watcher() = default;

Result<WatchTotals> Watcher::Run() { return impl_->Run(); }

uint16_t Watcher::metrics_port() const { return impl_->metrics_port(); }

std::string Watcher::metrics_address() const { return impl_->metrics_address(); }

}  // namespace sysfence::watch
