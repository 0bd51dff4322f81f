// SPDX-License-Identifier: Apache-2.0
// The supervisor's report part: counting calls per shape, the limits on JSON events, and where
// reported calls go. A sink receives every counted call (cheap: metrics) and the JSON events the
// limits let through; the JSON Lines file and the alert commands are sinks, and a metrics sink
// (the `watch` daemon's Prometheus endpoint) plugs in the same way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "run/alerts.h"
#include "run/event.h"
#include "run/event_sink.h"
#include "policy/policy.h"
#include "run/ledger.h"
#include "run/supervised_policy.h"

namespace sysfence::run {

/// Counters about one supervision.
struct SupervisorStats {
  uint64_t notifications = 0;  ///< notifications received
  uint64_t events = 0;         ///< JSON events written
  uint64_t aborted = 0;        ///< calls whose target went away before the answer (SEND -> ENOENT)
  uint64_t restarts = 0;       ///< repeated notifications of an interrupted, restarted call
  uint64_t invalid_reads = 0;  ///< decodings discarded because NOTIF_ID_VALID failed after reading
  uint64_t denials = 0;        ///< kernel denials read from the audit stream
  uint64_t kills = 0;          ///< of those, processes the kernel killed for `kill` rules
  uint64_t aggregated = 0;     ///< calls counted but not written as JSON events
  bool capped = false;         ///< max_event_bytes was reached
};

/// Where reported calls go. Called on the supervisor's thread only.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Whether this sink takes JSON events (a metrics-only sink does not: then calls past the
  /// per-shape limit are not counted as "aggregated" for it).
  virtual bool wants_events() const { return true; }
  /// Every reported call or denial: the `count`th of `shape`. On the hot path: keep it cheap.
  virtual void OnCounted(const CallShape& shape, uint64_t count) {
    (void)shape;
    (void)count;
  }
  /// One JSON event (a line with its newline) the limits let through.
  virtual void OnEvent(const Event& event, const std::string& json_line) = 0;
  /// True when something is buffered (the supervisor then polls without blocking).
  virtual bool pending() const { return false; }
  /// Writes out what is buffered (at a lull and at the end).
  virtual void Flush() {}
  /// Adds what this sink knows to the summary.
  virtual void Summarize(RunSummary& summary) const { (void)summary; }
};

/// JSON Lines events into a buffered writer (a file, or a pipe).
class JsonLinesSink : public EventSink {
 public:
  /// `writer` is borrowed.
  explicit JsonLinesSink(BufferedWriter* writer) : writer_(writer) {}
  void OnEvent(const Event& event, const std::string& json_line) override;
  bool pending() const override { return writer_->pending(); }
  void Flush() override { writer_->Flush(); }

 private:
  BufferedWriter* writer_;
};

/// Each event on the stdin of an alert command (rate-limited by the dispatcher).
class AlertSink : public EventSink {
 public:
  /// `alerts` is borrowed.
  explicit AlertSink(AlertDispatcher* alerts) : alerts_(alerts) {}
  void OnEvent(const Event& event, const std::string& json_line) override;
  void Summarize(RunSummary& summary) const override;

 private:
  AlertDispatcher* alerts_;
};

/// How much the reporter writes.
struct ReportLimits {
  RunMode mode = RunMode::kEnforce;
  uint64_t max_events_per_shape = 100;           ///< JSON events per shape; later ones are counted only
  uint64_t max_event_bytes = uint64_t{1} << 30;  ///< bytes of JSON events at most
};

/// Counts calls, applies the limits, and hands events to the sinks and the terminal.
class Reporter {
 public:
  /// `sinks` and `human` are borrowed (human may be null); `stats` receives events/aggregated/capped.
  Reporter(ReportLimits limits, std::vector<EventSink*> sinks, BufferedWriter* human, SupervisorStats* stats);

  /// Counts one call of `shape` (1 for the first); tells the sinks.
  uint64_t Count(const CallShape& shape);
  /// Whether the `count`th call of a shape becomes a JSON event (before the size cap).
  bool WantsJson(uint64_t count) const;
  /// Whether any sink takes JSON events.
  bool HasJsonSinks() const { return json_sinks_ > 0; }
  /// A call counted without an event (the hot path past the limits).
  void NoteAggregated() {
    if (HasJsonSinks()) ++stats_->aggregated;
  }
  /// Writes one JSON event to the sinks unless the size cap is reached.
  void Write(const Event& event);
  /// Reports the `count`th call of `event`'s shape: JSON within the limits, a terminal line and
  /// a suggestion when it is the first.
  void Report(const Event& event, const CallShape& shape, uint64_t count, bool needs_allow);

  /// Counts one Landlock access under `key` (its suggested line: the shape of an access); returns
  /// how many there have been (1 = first). The first line of each key joins the summary's
  /// suggested lines. Call ReportLandlock only when count is 1 or WantsJson(count), else
  /// NoteAggregated (the hot path builds no event).
  uint64_t CountLandlock(const std::string& key);

  /// Reports the `count`th Landlock event (kind kLandlock) of its key: written within the same
  /// limits as calls, shown on the terminal the first time.
  void ReportLandlock(Event event, uint64_t count);

  /// True when a sink or the terminal has buffered output.
  bool pending() const;
  /// Writes out what is buffered.
  void Flush();
  /// Fills the ledger's and the sinks' part of a summary; the suggested lines are what `policy`
  /// (the one the run enforces) needs added.
  void Summarize(RunSummary& summary, const policy::Policy& policy) const;

 private:
  ReportLimits limits_;
  std::vector<EventSink*> sinks_;
  size_t json_sinks_ = 0;
  BufferedWriter* human_;
  SupervisorStats* stats_;
  Ledger ledger_;
  uint64_t event_bytes_ = 0;
  std::map<std::string, uint64_t> landlock_counts_;  ///< per suggested line (or blockers, without one)
  std::vector<std::string> landlock_lines_;          ///< suggested lines, first seen first
  uint64_t landlock_total_ = 0;  ///< JSON event bytes written so far (for max_event_bytes)
};

}  // namespace sysfence::run
