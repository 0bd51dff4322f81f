// SPDX-License-Identifier: Apache-2.0
// The watcher's Prometheus metrics and their text exposition format (version 0.0.4). Violation
// counters are labelled by kind, action, syscall, comm and container; the number of label sets is
// capped, so a storm of random comm values cannot grow memory or a scraper's series without bound:
// past the cap, new label sets are counted under one series with comm="_other_",
// container="_other_" (and syscall kept, since its values are bounded by the syscall tables).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "watch/watch_event.h"

namespace sysfence::watch {

/// Counters and gauges of one watcher. Not thread-safe: one owner (the watcher loop).
class WatchMetrics {
 public:
  /// Label sets of the violation counter before folding into "_other_".
  static constexpr size_t kDefaultMaxSeries = 1000;

  explicit WatchMetrics(size_t max_series = kDefaultMaxSeries) : max_series_(max_series) {}

  /// Counts one violation.
  void CountViolation(const Violation& violation);
  /// Counts one audit record read, by type.
  void CountRecord(uint16_t type) { ++records_[type]; }
  /// Counts `count` records lost through `cause` ("socket-overflow", "kernel-audit-lost", ...).
  void CountLost(std::string_view cause, uint64_t count) { lost_[std::string(cause)] += count; }
  /// Counts one record that did not parse.
  void CountMalformed() { ++malformed_; }
  /// The kernel's audit status, from the last AUDIT_GET.
  void SetAuditStatus(uint32_t enabled, uint32_t backlog, uint32_t backlog_limit, uint32_t kernel_lost);
  /// Alerts started and dropped so far.
  void SetAlerts(uint64_t sent, uint64_t dropped) {
    alerts_sent_ = sent;
    alerts_dropped_ = dropped;
  }
  /// Events written and write failures of the events output.
  void SetOutput(uint64_t events_written, uint64_t failed_writes) {
    events_written_ = events_written;
    failed_writes_ = failed_writes;
  }

  /// Lost records in all (every cause).
  [[nodiscard]] uint64_t lost_total() const;
  /// Violation label sets in use (at most the cap, plus the "_other_" ones).
  [[nodiscard]] size_t series() const { return violations_.size(); }
  /// Violations counted under "_other_" because the cap was reached.
  [[nodiscard]] uint64_t folded() const { return folded_; }

  /// The text exposition of every metric (HELP, TYPE, samples).
  [[nodiscard]] std::string Render() const;

 private:
  using Labels = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  size_t max_series_;
  std::map<Labels, uint64_t> violations_;
  std::map<uint16_t, uint64_t> records_;
  std::map<std::string, uint64_t> lost_;
  uint64_t malformed_ = 0;
  uint64_t folded_ = 0;
  bool have_status_ = false;
  uint32_t audit_enabled_ = 0;
  uint32_t backlog_ = 0;
  uint32_t backlog_limit_ = 0;
  uint32_t kernel_lost_ = 0;
  uint64_t alerts_sent_ = 0;
  uint64_t alerts_dropped_ = 0;
  uint64_t events_written_ = 0;
  uint64_t failed_writes_ = 0;
};

/// `value` as a Prometheus label value: backslash, quote and newline escaped, other control bytes
/// and bytes >= 0x80 as '?', at most 64 bytes.
std::string PrometheusLabelValue(std::string_view value);

}  // namespace sysfence::watch
