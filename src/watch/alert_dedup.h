// SPDX-License-Identifier: Apache-2.0
// Alert deduplication for the watcher: one alert per kind of violation (kind, action, syscall or
// Landlock object, executable, container) per time window, with a bounded memory of keys.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "watch/watch_event.h"

namespace sysfence::watch {

/// Decides which violations become alerts.
class AlertDedup {
 public:
  /// Keys remembered; when full, the memory is cleared (an alert may then repeat early).
  static constexpr size_t kMaxKeys = 4096;

  explicit AlertDedup(int64_t window_ms) : window_ms_(window_ms) {}

  /// True when `violation` should alert at `now_ms` (monotonic): its key has not alerted within
  /// the window. Counts the rest in suppressed().
  bool ShouldAlert(const Violation& violation, int64_t now_ms);

  /// Violations that did not alert because their key alerted recently.
  [[nodiscard]] uint64_t suppressed() const { return suppressed_; }

  /// The deduplication key of a violation.
  static std::string KeyOf(const Violation& violation);

 private:
  int64_t window_ms_;
  std::unordered_map<std::string, int64_t> last_alert_ms_;
  uint64_t suppressed_ = 0;
};

}  // namespace sysfence::watch
