// SPDX-License-Identifier: Apache-2.0
#include "run/report.h"

#include <utility>

#include "core/arch.h"
#include "policy/amend_landlock.h"

namespace sysfence::run {

void JsonLinesSink::OnEvent(const Event&, const std::string& json_line) { writer_->Append(json_line); }

void AlertSink::OnEvent(const Event&, const std::string& json_line) { alerts_->Submit(json_line); }

void AlertSink::Summarize(RunSummary& summary) const {
  summary.alerts_sent = alerts_->sent();
  summary.alerts_dropped = alerts_->dropped();
}

Reporter::Reporter(ReportLimits limits, std::vector<EventSink*> sinks, BufferedWriter* human, SupervisorStats* stats)
    : limits_(limits), sinks_(std::move(sinks)), human_(human), stats_(stats) {
  for (const EventSink* sink : sinks_) json_sinks_ += sink->wants_events() ? 1 : 0;
}

uint64_t Reporter::Count(const CallShape& shape) {
  const uint64_t count = ledger_.Count(shape);
  for (EventSink* sink : sinks_) sink->OnCounted(shape, count);
  return count;
}

bool Reporter::WantsJson(uint64_t count) const {
  // Monitor mode writes the first call of each shape; enforce mode every call up to the per-shape
  // limit. Past it calls are only counted: a program that retries a denied call in a loop must
  // not fill the disk.
  if (!HasJsonSinks() || count == 0) return false;
  return limits_.mode == RunMode::kEnforce ? count <= limits_.max_events_per_shape : count == 1;
}

void Reporter::Report(const Event& event, const CallShape& shape, uint64_t count, bool needs_allow) {
  if (count == 1) {
    if (shape.decided_by == -2) {
      ledger_.NoteMissingArch(event.arch);
    } else {
      ledger_.NoteFirst(ArchFromName(event.arch), event.syscall, event.args, needs_allow);
    }
  }
  if (WantsJson(count)) {
    Write(event);
  } else if (count != 0) {
    NoteAggregated();
  }
  if (human_ != nullptr && count == 1) human_->Append(EventHumanLine(event));
}

void Reporter::Write(const Event& event) {
  if (event_bytes_ >= limits_.max_event_bytes) {
    ++stats_->aggregated;
    stats_->capped = true;
    return;
  }
  std::string line;
  AppendEventJson(line, event);
  event_bytes_ += line.size();
  for (EventSink* sink : sinks_) {
    if (sink->wants_events()) sink->OnEvent(event, line);
  }
  ++stats_->events;
}

uint64_t Reporter::CountLandlock(const std::string& key) {
  ++landlock_total_;
  const uint64_t count = ++landlock_counts_[key];
  if (count == 1 && !key.empty()) landlock_lines_.push_back(key);
  return count;
}

void Reporter::ReportLandlock(Event event, uint64_t count) {
  event.count = count;
  if (WantsJson(count)) {
    Write(event);
  } else {
    NoteAggregated();
  }
  if (human_ != nullptr && count == 1) human_->Append(EventHumanLine(event));
}

bool Reporter::pending() const {
  for (const EventSink* sink : sinks_) {
    if (sink->pending()) return true;
  }
  return human_ != nullptr && human_->pending();
}

void Reporter::Flush() {
  for (EventSink* sink : sinks_) sink->Flush();
  if (human_ != nullptr) human_->Flush();
}

void Reporter::Summarize(RunSummary& summary, const policy::Policy& policy) const {
  summary.reported_calls = ledger_.total();
  summary.distinct_shapes = ledger_.distinct();
  summary.events_written = stats_->events;
  summary.events_aggregated = stats_->aggregated;
  summary.events_capped = stats_->capped;
  summary.suggested_lines = ledger_.SuggestedLines(policy);
  summary.counts = ledger_.CountsBySyscall();
  // Landlock: the lines `merge` would add for the same accesses (one per path, nothing a broader
  // line covers); a key that is no fs/net line (the walls' own blockers) is kept as it is.
  policy::Amendment landlock;
  landlock.policy = policy;
  std::vector<policy::ObservedAccess> accesses;
  std::vector<std::string> other_keys;
  for (const std::string& line : landlock_lines_) {
    if (auto access = policy::ObservedAccessFromLine(line); access.ok()) {
      accesses.push_back(std::move(*access));
    } else {
      other_keys.push_back(line);
    }
  }
  policy::AmendLandlock(accesses, landlock);
  for (auto* lines : {&landlock.lines, &landlock.notes, &other_keys}) {
    summary.suggested_lines.insert(summary.suggested_lines.end(), lines->begin(), lines->end());
  }
  summary.landlock_reported = landlock_total_;
  for (const EventSink* sink : sinks_) sink->Summarize(summary);
}

}  // namespace sysfence::run
