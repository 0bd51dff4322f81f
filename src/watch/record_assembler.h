// SPDX-License-Identifier: Apache-2.0
// Turns the kernel's audit records, in the order they arrive, into violations. A seccomp record
// (1326) is complete on its own; a Landlock denial spans several records sharing a serial (1423
// access, 1424 domain, 1300 syscall, 1320 end of event), gathered until the end-of-event record
// or until they are too old. Pure: no /proc, no clock; the caller passes the time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "watch/watch_event.h"

namespace sysfence::watch {

/// Assembles violations from audit records.
class RecordAssembler {
 public:
  /// Receives each finished violation.
  using Sink = std::function<void(Violation&)>;

  /// Landlock events waiting for their end record are emitted after this long anyway.
  static constexpr int64_t kMaxPendingAgeMs = 250;
  /// At most this many Landlock events wait; beyond it the oldest is emitted as it is.
  static constexpr size_t kMaxPending = 1024;
  /// Landlock domains whose creator is remembered (the kernel logs it once per domain).
  static constexpr size_t kMaxDomains = 4096;

  /// Takes one record of `type` with its text ("audit(T:S): ..."); `now_ms` is a monotonic clock.
  /// Records of other types are ignored; records that do not parse are counted in malformed().
  void Add(uint16_t type, std::string_view text, int64_t now_ms, const Sink& sink);

  /// Emits the Landlock events that waited longer than kMaxPendingAgeMs (all of them with
  /// `everything`).
  void Expire(int64_t now_ms, const Sink& sink, bool everything = false);

  /// Records of a known type that did not parse (truncated, malformed).
  [[nodiscard]] uint64_t malformed() const { return malformed_; }
  /// Landlock events waiting.
  [[nodiscard]] size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    Violation violation;
    int64_t since_ms = 0;
    bool has_access = false;
  };
  struct DomainCreator {
    int pid = 0;
    std::string exe;
  };

  void AddSeccomp(std::string_view text, uint64_t serial, int64_t time_ms, const Sink& sink);
  void AddLandlockAccess(std::string_view text, uint64_t serial, int64_t time_ms, int64_t now_ms, const Sink& sink);
  void AddLandlockDomain(std::string_view text, uint64_t serial);
  void AddSyscall(std::string_view text, uint64_t serial);
  void Emit(std::map<uint64_t, Pending>::iterator it, const Sink& sink);

  std::map<uint64_t, Pending> pending_;  ///< by serial (serials grow, so the first is the oldest)
  std::unordered_map<std::string, DomainCreator> domains_;
  uint64_t malformed_ = 0;
};

}  // namespace sysfence::watch
