// SPDX-License-Identifier: Apache-2.0
#include "watch/alert_dedup.h"

#include <fmt/format.h>

namespace sysfence::watch {

std::string AlertDedup::KeyOf(const Violation& violation) {
  const std::string object = violation.kind == ViolationKind::kSeccomp
                                 ? fmt::format("{}:{}", violation.arch, violation.nr)
                                 : fmt::format("{}:{}", violation.access.path, violation.access.port);
  return fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", ViolationKindName(violation.kind), violation.action, object,
                     violation.exe, violation.container.Label());
}

bool AlertDedup::ShouldAlert(const Violation& violation, int64_t now_ms) {
  std::string key = KeyOf(violation);
  auto it = last_alert_ms_.find(key);
  if (it != last_alert_ms_.end() && now_ms - it->second < window_ms_) {
    ++suppressed_;
    return false;
  }
  if (it == last_alert_ms_.end() && last_alert_ms_.size() >= kMaxKeys) last_alert_ms_.clear();
  last_alert_ms_[std::move(key)] = now_ms;
  return true;
}

}  // namespace sysfence::watch
