// SPDX-License-Identifier: Apache-2.0
// Landlock's audit records (Landlock ABI 7, Linux 6.15+), parsed. A denial is an audit event of
// several records sharing one serial: LANDLOCK_ACCESS (1423: the domain, what blocked, the object),
// LANDLOCK_DOMAIN (1424: the domain's creator, on its first denial) and SYSCALL (1300: the process
// and the call). Landlock writes them only while audit is enabled (`auditctl -e 1` or
// `sysfence watch --audit-enable`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysfence::os {

/// AUDIT_SYSCALL: the syscall record of an audit event.
inline constexpr uint16_t kAuditTypeSyscall = 1300;
/// AUDIT_EOE: the end of a multi-record audit event.
inline constexpr uint16_t kAuditTypeEndOfEvent = 1320;
/// AUDIT_LANDLOCK_ACCESS: a Landlock denial.
inline constexpr uint16_t kAuditTypeLandlockAccess = 1423;
/// AUDIT_LANDLOCK_DOMAIN: a Landlock domain's creation (with its first denial) or release.
inline constexpr uint16_t kAuditTypeLandlockDomain = 1424;

/// A LANDLOCK_ACCESS record.
struct LandlockAccessRecord {
  std::string domain;                 ///< the domain id (hex), as the kernel writes it
  std::vector<std::string> blockers;  ///< "fs.make_reg", "net.connect_tcp", "scope.signal", ...
  std::string path;                   ///< fs: the object's path (decoded); "" when absent
  std::string device;                 ///< fs: the device name
  uint64_t inode = 0;                 ///< fs: inode number (0 when absent)
  std::string address;                ///< net: daddr or saddr
  int port = -1;                      ///< net: dest (connect) or src (bind) port; -1 when absent
  int target_pid = 0;                 ///< scope/ptrace: opid, the process that was protected
  std::string target_comm;            ///< scope/ptrace: ocomm
};

/// Parses a type-1423 record; nullopt when `domain` or `blockers` is missing.
std::optional<LandlockAccessRecord> ParseLandlockAccessRecord(std::string_view text);

/// A LANDLOCK_DOMAIN record.
struct LandlockDomainRecord {
  std::string domain;
  std::string status;  ///< "allocated" or "deallocated"
  int pid = 0;         ///< allocated: the process that created the domain
  std::string exe;     ///< allocated: its executable
  std::string comm;
  uint64_t denials = 0;  ///< deallocated: denials logged for the domain in all
};

/// Parses a type-1424 record; nullopt when `domain` or `status` is missing.
std::optional<LandlockDomainRecord> ParseLandlockDomainRecord(std::string_view text);

/// The process and call of a SYSCALL (1300) record.
struct SyscallAuditRecord {
  int pid = 0;
  int64_t uid = -1;
  std::string comm;
  std::string exe;
  uint32_t arch = 0;
  int64_t syscall = -1;
  int64_t exit = 0;  ///< the call's return (-errno on failure)
};

/// Parses a type-1300 record; nullopt when pid, arch or syscall is missing or malformed.
std::optional<SyscallAuditRecord> ParseSyscallAuditRecord(std::string_view text);

}  // namespace sysfence::os
