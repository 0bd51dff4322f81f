// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/progress_line.h"

#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "tools/sysfence/global_options.h"

namespace sysfence::cli {

bool LiveLineWanted() { return !Quiet() && isatty(STDERR_FILENO) == 1; }

ProgressLine::ProgressLine(std::function<std::string()> render, bool enabled) : render_(std::move(render)) {
  if (enabled) thread_ = std::thread([this] { Loop(); });
}

ProgressLine::~ProgressLine() {
  stop_.store(true);
  if (!thread_.joinable()) return;
  thread_.join();
  std::fputs("\r\033[K", stderr);  // erase the line: what follows starts at its beginning
  std::fflush(stderr);
}

void ProgressLine::Loop() {
  while (!stop_.load()) {
    // One write per redraw: return to the start, the text, erase the rest of the old line.
    const std::string line = "\r" + render_() + "\033[K";
    (void)!write(STDERR_FILENO, line.data(), line.size());
    for (int i = 0; i < 5 && !stop_.load(); ++i) {
      timespec pause{0, 50 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
  }
}

std::function<std::string()> RecordingProgressText(const profile::LiveCounts& live) {
  using Clock = std::chrono::steady_clock;
  struct State {
    Clock::time_point start = Clock::now();
    Clock::time_point last = start;
    uint64_t last_calls = 0;
  };
  auto state = std::make_shared<State>();
  return [&live, state] {
    const Clock::time_point now = Clock::now();
    const uint64_t calls = live.calls.load(std::memory_order_relaxed);
    const double since_last = std::chrono::duration<double>(now - state->last).count();
    const double rate = since_last > 0 && calls >= state->last_calls
                            ? static_cast<double>(calls - state->last_calls) / since_last
                            : 0;
    state->last = now;
    state->last_calls = calls;
    const uint64_t processes = live.processes.load(std::memory_order_relaxed);
    return fmt::format("sysfence: recording: {} calls ({:.0f}/s), {} syscalls, {} process{}, {:.1f} s", calls, rate,
                       live.syscalls.load(std::memory_order_relaxed), processes, processes == 1 ? "" : "es",
                       std::chrono::duration<double>(now - state->start).count());
  };
}

}  // namespace sysfence::cli
