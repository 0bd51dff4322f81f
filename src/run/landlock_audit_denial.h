// SPDX-License-Identifier: Apache-2.0
// Landlock denials as the kernel audits them (Landlock ABI 7, audit enabled), joined per audit
// event: LANDLOCK_ACCESS (1423: domain, missing rights, object), LANDLOCK_DOMAIN (1424: the
// domain's creator, with its first denial), SYSCALL (1300: the process and the call) and EOE (1320)
// share one serial. Records come from the kernel only: user space can send audit messages of the
// AUDIT_USER ranges, never these types.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "os/landlock_audit_record.h"

namespace sysfence::run {

/// One Landlock denial.
struct LandlockAuditDenial {
  uint64_t serial = 0;
  os::LandlockAccessRecord access;
  int pid = 0;  ///< from the SYSCALL record; 0 when there was none
  std::string comm;
  std::string exe;
  uint32_t arch = 0;     ///< AUDIT_ARCH of the call
  int64_t syscall = -1;  ///< -1 when there was no SYSCALL record
  int domain_pid = 0;    ///< the process that created the domain, when this event names it
};

/// Joins the records of Landlock audit events into denials.
class LandlockRecordJoiner {
 public:
  /// Receives each completed denial.
  using Sink = std::function<void(const LandlockAuditDenial&)>;

  /// At most this many events wait for their end record; past it the oldest is emitted as it is.
  static constexpr size_t kMaxPending = 64;

  /// Takes one audit record (header included); types other than 1423, 1424, 1300 and 1320 and
  /// records of events without a Landlock access are ignored. An event is emitted at its end.
  void Add(uint16_t type, std::string_view text, const Sink& sink);

  /// Emits every waiting event (a kernel without SYSCALL records for the task sends no end).
  void Flush(const Sink& sink);

 private:
  std::map<uint64_t, LandlockAuditDenial> pending_;
};

}  // namespace sysfence::run
