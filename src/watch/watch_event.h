// SPDX-License-Identifier: Apache-2.0
// What `sysfence watch` reports: a violation the kernel logged (a seccomp filter's non-allow
// decision, or a Landlock denial), with the process it names and the container it belongs to,
// and its JSON line (docs/events.md: the same fields as `run`'s events where they mean the same).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "watch/container.h"
#include "os/landlock_audit_record.h"

namespace sysfence::watch {

// Landlock's audit records are parsed by os/ (run reads them too).
using os::kAuditTypeEndOfEvent;
using os::kAuditTypeLandlockAccess;
using os::kAuditTypeLandlockDomain;
using os::kAuditTypeSyscall;
using os::LandlockAccessRecord;
using os::LandlockDomainRecord;
using os::ParseLandlockAccessRecord;
using os::ParseLandlockDomainRecord;
using os::ParseSyscallAuditRecord;
using os::SyscallAuditRecord;

/// Which LSM or filter made the decision.
enum class ViolationKind : uint8_t {
  kSeccomp,   ///< a seccomp filter (AUDIT_SECCOMP, 1326)
  kLandlock,  ///< Landlock (AUDIT_LANDLOCK_ACCESS, 1423)
};

/// One violation.
struct Violation {
  ViolationKind kind = ViolationKind::kSeccomp;
  int64_t time_ns = 0;  ///< the kernel's stamp of the record (CLOCK_REALTIME, millisecond resolution)
  uint64_t serial = 0;  ///< the audit event serial
  int pid = 0;          ///< in the initial pid namespace; 0 when no record named the process
  int64_t uid = -1;
  std::string comm;
  std::string exe;
  std::string arch;     ///< "x86_64", ...; the AUDIT_ARCH value in hex when unknown; "" when unknown
  std::string syscall;  ///< the name on that ABI, "" when unknown
  int64_t nr = -1;      ///< the number as the filter saw it; -1 when unknown
  std::string action;   ///< seccomp: "kill", "kill-thread", "trap", "errno", "trace", "log", "notify"; Landlock: "deny"
  std::string outcome;  ///< "killed", "thread-killed", "trapped", "denied", "traced", "allowed", "notified"
  int signal = 0;       ///< seccomp: the signal the action sends (SIGSYS), else 0
  LandlockAccessRecord access;  ///< Landlock: what was denied
  int domain_pid = 0;           ///< Landlock: the process that created the domain (when logged)
  std::string domain_exe;       ///< Landlock: its executable
  ContainerInfo container;      ///< from /proc/PID/cgroup while the process existed
  bool process_seen = false;    ///< /proc/PID/cgroup could be read (the process still existed)
};

/// "seccomp" or "landlock".
std::string_view ViolationKindName(ViolationKind kind);

/// Fills action, outcome and signal from a seccomp record's `code` (SECCOMP_RET_ACTION_FULL).
void SetSeccompDecision(uint32_t code, Violation& violation);

/// A policy line that would allow the violation ("allow uname", "fs /tmp/x rw"-style hints for
/// Landlock); "" when there is none.
std::string SuggestionFor(const Violation& violation);

/// Appends the violation as one JSON object and a newline.
void AppendViolationJson(std::string& out, const Violation& violation);

/// Appends a `lost` record: `count` records lost now through `cause`, `total` so far.
void AppendLostJson(std::string& out, int64_t time_ns, std::string_view cause, uint64_t count, uint64_t total);

}  // namespace sysfence::watch
