// SPDX-License-Identifier: Apache-2.0
// `sysfence watch` as a library: reads the kernel's audit records (netlink read-log group, or
// /dev/kmsg), turns seccomp and Landlock records into violations, writes them as JSON Lines, runs
// alerts, serves Prometheus metrics, and reports every record it knows it lost. It only observes:
// nothing it does (or fails to do) changes any kernel decision.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "run/alerts.h"

namespace sysfence::watch {

/// Where records come from.
enum class RecordSource : uint8_t {
  kAuto,     ///< netlink, falling back to /dev/kmsg when netlink is unsupported or refused
  kNetlink,  ///< the audit netlink read-log multicast group
  kKmsg,     ///< /dev/kmsg (printk's copy of audit records, rate-limited, only without auditd)
};

/// Totals of one watch, for the stop record and the caller.
struct WatchTotals {
  uint64_t records = 0;
  uint64_t violations = 0;
  uint64_t lost = 0;
  uint64_t malformed = 0;
  uint64_t reopened = 0;
  uint64_t events_written = 0;
  uint64_t failed_writes = 0;
};

/// Everything the watcher needs.
struct WatchOptions {
  RecordSource source = RecordSource::kAuto;
  std::string output_path = "-";  ///< JSON Lines: a file (appended, reopened on SIGHUP) or "-" (stdout)
  std::string metrics_address;    ///< ADDR:PORT for Prometheus, "" for none
  std::string alert_command;      ///< run with each alerted violation on stdin ("" for none)
  run::AlertOptions alert_tuning; ///< rate and burst (its `command` is ignored)
  int64_t alert_dedup_ms = 60'000;  ///< one alert per (kind, action, syscall/object, exe, container) per window
  std::string lock_path = "/run/sysfence-watch.lock";  ///< one watcher per lock file
  bool audit_enable = false;                 ///< turn audit on while watching (and back off after)
  std::optional<uint32_t> audit_backlog_limit;  ///< AUDIT_SET backlog_limit (machine-wide, kept)
  std::optional<uint32_t> audit_rate_limit;     ///< AUDIT_SET rate_limit (machine-wide, kept)
  int receive_buffer_bytes = 0;  ///< netlink receive buffer; 0 keeps the 64 MiB default
  int64_t status_interval_ms = 1000;  ///< how often the kernel's lost counter and backlog are read
  size_t max_series = 1000;           ///< label sets of the violation metric
  int64_t max_runtime_ms = 0;         ///< stop after this long (0 = until SIGTERM/SIGINT); for tests and benches
  /// Status lines: called with the totals so far and the seconds watched, on SIGUSR1 (then read
  /// through the signalfd, so it never ends the watch) and every `progress_interval_ms` when > 0.
  /// Null: no status, SIGUSR1 untouched.
  std::function<void(const WatchTotals& totals, double seconds)> on_status;
  int64_t progress_interval_ms = 0;
};


class WatcherImpl;

/// A watcher whose resources are all acquired: the lock, the record source, the metrics port and
/// the output. Open() fails (nothing started, nothing written) when any is refused.
class Watcher {
 public:
  /// Acquires everything. `notes` receives lines for the user (a fallback taken, audit disabled).
  /// With an alert command, SIGHUP, SIGTERM and SIGINT are blocked from here on (the alert thread
  /// inherits the mask); Run reads them.
  static Result<std::unique_ptr<Watcher>> Open(const WatchOptions& options, std::vector<std::string>* notes);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  /// Watches until SIGTERM or SIGINT (blocked by Run and read through a signalfd; SIGHUP reopens
  /// the output). Errors of the record source end the watch with an error, after a stop record.
  Result<WatchTotals> Run();

  /// The metrics port bound (0 without --metrics).
  [[nodiscard]] uint16_t metrics_port() const;
  /// The metrics address bound, ADDR:PORT with the port the kernel chose for port 0 ("" without
  /// --metrics): MetricsServer::address().
  [[nodiscard]] std::string metrics_address() const;

 private:
  explicit Watcher(std::unique_ptr<WatcherImpl> impl);
  std::unique_ptr<WatcherImpl> impl_;
};

}  // namespace sysfence::watch
