// SPDX-License-Identifier: Apache-2.0
// Status of a run in progress (`run --progress`, or SIGUSR1): what the supervisor has reported so
// far, counted where it reports, read from the thread that waits for the program.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "run/report.h"

namespace sysfence::run {

/// One status: the program, how long it has run, and the calls reported so far.
struct RunStatus {
  int pid = 0;
  double elapsed_seconds = 0;
  bool observed = false;         ///< a supervisor reports calls (false: enforce without audit access)
  uint64_t reported_calls = 0;   ///< calls denied, would-be denied or logged so far
  uint64_t distinct_shapes = 0;  ///< distinct call shapes among them
};

/// "pid 4242, 12.3 s, 57 reported calls of 3 kinds" (or "calls not observed").
std::string StatusText(const RunStatus& status);

/// Counts every reported call (an EventSink that takes no JSON events). Written on the supervisor's
/// thread, read anywhere.
class StatusSink : public EventSink {
 public:
  bool wants_events() const override { return false; }
  void OnCounted(const CallShape& shape, uint64_t count) override;
  void OnEvent(const Event& event, const std::string& json_line) override;

  /// Calls counted so far.
  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }
  /// Distinct shapes so far.
  uint64_t shapes() const { return shapes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> shapes_{0};
};

/// Blocks SIGUSR1 for this thread (and the threads it starts) while it lives, when `enabled`, so
/// that the waiting loop reads it from a signalfd instead of dying of it. Pending ones are dropped
/// and the mask restored on destruction.
class StatusSignal {
 public:
  explicit StatusSignal(bool enabled);
  ~StatusSignal();
  StatusSignal(const StatusSignal&) = delete;
  StatusSignal& operator=(const StatusSignal&) = delete;

  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  sigset_t previous_mask_;
};

}  // namespace sysfence::run
