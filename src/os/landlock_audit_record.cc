// SPDX-License-Identifier: Apache-2.0
#include "os/landlock_audit_record.h"

#include "os/audit_fields.h"

namespace sysfence::os {
namespace {

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    if (comma != 0) parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

}  // namespace

std::optional<LandlockAccessRecord> ParseLandlockAccessRecord(std::string_view text) {
  const auto domain = AuditFieldValue(text, "domain");
  const auto blockers = AuditFieldValue(text, "blockers");
  if (!domain || !blockers || domain->empty() || blockers->empty()) return std::nullopt;
  LandlockAccessRecord record;
  record.domain = std::string(*domain);
  record.blockers = SplitCommas(*blockers);
  record.path = AuditUntrustedString(text, "path");
  record.device = AuditUntrustedString(text, "dev");
  record.inode = AuditFieldNumber(text, "ino", 10).value_or(0);
  if (auto daddr = AuditFieldValue(text, "daddr")) {
    record.address = std::string(*daddr);
  } else if (auto saddr = AuditFieldValue(text, "saddr")) {
    record.address = std::string(*saddr);
  }
  std::optional<uint64_t> port = AuditFieldNumber(text, "dest", 10);
  if (!port) port = AuditFieldNumber(text, "src", 10);
  if (port && *port <= 65535) record.port = static_cast<int>(*port);
  const std::optional<int64_t> target = AuditFieldSigned(text, "opid");
  if (target && *target > 0 && *target <= (int64_t{1} << 30)) record.target_pid = static_cast<int>(*target);
  record.target_comm = AuditUntrustedString(text, "ocomm");
  return record;
}

std::optional<LandlockDomainRecord> ParseLandlockDomainRecord(std::string_view text) {
  const auto domain = AuditFieldValue(text, "domain");
  const auto status = AuditFieldValue(text, "status");
  if (!domain || !status || domain->empty() || status->empty()) return std::nullopt;
  LandlockDomainRecord record;
  record.domain = std::string(*domain);
  record.status = std::string(*status);
  const std::optional<int64_t> pid = AuditFieldSigned(text, "pid");
  if (pid && *pid > 0 && *pid <= (int64_t{1} << 30)) record.pid = static_cast<int>(*pid);
  record.exe = AuditUntrustedString(text, "exe");
  record.comm = AuditUntrustedString(text, "comm");
  record.denials = AuditFieldNumber(text, "denials", 10).value_or(0);
  return record;
}

std::optional<SyscallAuditRecord> ParseSyscallAuditRecord(std::string_view text) {
  const std::optional<int64_t> pid = AuditFieldSigned(text, "pid");
  const std::optional<uint64_t> arch = AuditFieldNumber(text, "arch", 16);
  const std::optional<int64_t> syscall = AuditFieldSigned(text, "syscall");
  if (!pid || !arch || !syscall || *pid < 0 || *pid > (int64_t{1} << 30) || *arch > 0xffffffffu) {
    return std::nullopt;
  }
  SyscallAuditRecord record;
  record.pid = static_cast<int>(*pid);
  record.arch = static_cast<uint32_t>(*arch);
  record.syscall = *syscall;
  record.uid = AuditFieldSigned(text, "uid").value_or(-1);
  record.exit = AuditFieldSigned(text, "exit").value_or(0);
  record.comm = AuditUntrustedString(text, "comm");
  record.exe = AuditUntrustedString(text, "exe");
  return record;
}

}  // namespace sysfence::os
