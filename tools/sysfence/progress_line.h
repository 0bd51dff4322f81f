// SPDX-License-Identifier: Apache-2.0
// A live status line on a terminal: one stderr line, rewritten in place a few times a second.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "profile/live_counts.h"

namespace sysfence::cli {

/// True when a live line belongs on stderr: it is a terminal and -q was not given.
bool LiveLineWanted();

/// Redraws `render()` on stderr every 250 ms from its own thread while it lives (when `enabled`);
/// erases the line when destroyed, so later output starts on a clean line.
class ProgressLine {
 public:
  ProgressLine(std::function<std::string()> render, bool enabled);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void Loop();

  std::function<std::string()> render_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// "12345 calls (3456/s), 42 syscalls, 3 processes, 2.1 s": a recording's progress, the rate
/// being that since the previous call of the returned function.
std::function<std::string()> RecordingProgressText(const profile::LiveCounts& live);

}  // namespace sysfence::cli
