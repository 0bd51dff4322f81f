// SPDX-License-Identifier: Apache-2.0
#include "run/status.h"

#include <pthread.h>
#include <time.h>

#include <fmt/format.h>

namespace sysfence::run {

std::string StatusText(const RunStatus& status) {
  std::string text = fmt::format("pid {}, {:.1f} s, ", status.pid, status.elapsed_seconds);
  if (!status.observed) return text + "calls not observed (enforce mode without access to the audit stream)";
  return text + fmt::format("{} reported call{} of {} kind{}", status.reported_calls,
                            status.reported_calls == 1 ? "" : "s", status.distinct_shapes,
                            status.distinct_shapes == 1 ? "" : "s");
}

void StatusSink::OnCounted(const CallShape& shape, uint64_t count) {
  (void)shape;
  calls_.fetch_add(1, std::memory_order_relaxed);
  if (count == 1) shapes_.fetch_add(1, std::memory_order_relaxed);
}

void StatusSink::OnEvent(const Event& event, const std::string& json_line) {
  (void)event;
  (void)json_line;
}

StatusSignal::StatusSignal(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
}

StatusSignal::~StatusSignal() {
  if (!enabled_) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  timespec zero{0, 0};
  while (sigtimedwait(&set, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace sysfence::run
