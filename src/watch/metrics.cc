// SPDX-License-Identifier: Apache-2.0
#include "watch/metrics.h"

#include <fmt/format.h>

#include <iterator>

namespace sysfence::watch {
namespace {

constexpr std::string_view kOther = "_other_";
constexpr size_t kMaxLabelBytes = 64;

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string PrometheusLabelValue(std::string_view value) {
  std::string out;
  for (char c : value.substr(0, kMaxLabelBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

void WatchMetrics::CountViolation(const Violation& violation) {
  Labels labels{std::string(ViolationKindName(violation.kind)), violation.action,
                violation.syscall.empty() ? fmt::format("#{}", violation.nr) : violation.syscall, violation.comm,
                violation.container.Label()};
  auto it = violations_.find(labels);
  if (it == violations_.end() && violations_.size() >= max_series_) {
    // Kind and action have a handful of values, syscall a few hundred: only comm and container are
    // open-ended, and they are what folds.
    std::get<3>(labels) = kOther;
    std::get<4>(labels) = kOther;
    ++folded_;
    ++violations_[labels];
    return;
  }
  if (it == violations_.end()) {
    violations_.emplace(std::move(labels), 1);
  } else {
    ++it->second;
  }
}

void WatchMetrics::SetAuditStatus(uint32_t enabled, uint32_t backlog, uint32_t backlog_limit, uint32_t kernel_lost) {
  have_status_ = true;
  audit_enabled_ = enabled;
  backlog_ = backlog;
  backlog_limit_ = backlog_limit;
  kernel_lost_ = kernel_lost;
}

uint64_t WatchMetrics::lost_total() const {
  uint64_t total = 0;
  for (const auto& [cause, count] : lost_) total += count;
  return total;
}

std::string WatchMetrics::Render() const {
  std::string out;
  auto sample = [&out](std::string_view line, uint64_t value) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", line, value);
  };
  Header(out, "sysfence_watch_violations_total", "counter",
         "Violations the kernel logged (seccomp filter decisions other than allow, Landlock denials).");
  for (const auto& [labels, count] : violations_) {
    const auto& [kind, action, syscall, comm, container] = labels;
    sample(fmt::format("sysfence_watch_violations_total{{kind=\"{}\",action=\"{}\",syscall=\"{}\",comm=\"{}\","
                       "container=\"{}\"}}",
                       PrometheusLabelValue(kind), PrometheusLabelValue(action), PrometheusLabelValue(syscall),
                       PrometheusLabelValue(comm), PrometheusLabelValue(container)),
           count);
  }
  Header(out, "sysfence_watch_series_folded_total", "counter",
         "Violations counted with comm and container \"_other_\" because the label-set cap was reached.");
  sample("sysfence_watch_series_folded_total", folded_);
  Header(out, "sysfence_watch_records_total", "counter", "Audit records read, by record type.");
  for (const auto& [type, count] : records_) sample(fmt::format("sysfence_watch_records_total{{type=\"{}\"}}", type), count);
  Header(out, "sysfence_watch_records_lost_total", "counter",
         "Audit records lost before the watcher read them, by cause.");
  for (const auto& [cause, count] : lost_) {
    sample(fmt::format("sysfence_watch_records_lost_total{{cause=\"{}\"}}", PrometheusLabelValue(cause)), count);
  }
  Header(out, "sysfence_watch_records_malformed_total", "counter", "Audit records that did not parse (counted, skipped).");
  sample("sysfence_watch_records_malformed_total", malformed_);
  if (have_status_) {
    Header(out, "sysfence_watch_audit_enabled", "gauge", "The kernel audit subsystem's enabled flag (0, 1, 2 = locked).");
    sample("sysfence_watch_audit_enabled", audit_enabled_);
    Header(out, "sysfence_watch_audit_backlog", "gauge", "Audit records queued in the kernel now.");
    sample("sysfence_watch_audit_backlog", backlog_);
    Header(out, "sysfence_watch_audit_backlog_limit", "gauge", "Audit records the kernel queues before dropping.");
    sample("sysfence_watch_audit_backlog_limit", backlog_limit_);
    Header(out, "sysfence_watch_audit_kernel_lost", "gauge",
           "The kernel's own count of audit records lost since boot (all readers).");
    sample("sysfence_watch_audit_kernel_lost", kernel_lost_);
  }
  Header(out, "sysfence_watch_alerts_sent_total", "counter", "Alert commands started.");
  sample("sysfence_watch_alerts_sent_total", alerts_sent_);
  Header(out, "sysfence_watch_alerts_dropped_total", "counter", "Alerts dropped by the rate limit or the queue limit.");
  sample("sysfence_watch_alerts_dropped_total", alerts_dropped_);
  Header(out, "sysfence_watch_events_written_total", "counter", "JSON lines written to the events output.");
  sample("sysfence_watch_events_written_total", events_written_);
  Header(out, "sysfence_watch_output_write_failures_total", "counter", "Writes to the events output that failed.");
  sample("sysfence_watch_output_write_failures_total", failed_writes_);
  return out;
}

}  // namespace sysfence::watch
