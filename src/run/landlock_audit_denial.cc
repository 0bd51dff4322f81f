// SPDX-License-Identifier: Apache-2.0
#include "run/landlock_audit_denial.h"

#include <optional>

#include "os/audit_fields.h"

namespace sysfence::run {

void LandlockRecordJoiner::Add(uint16_t type, std::string_view text, const Sink& sink) {
  if (type != os::kAuditTypeLandlockAccess && type != os::kAuditTypeLandlockDomain &&
      type != os::kAuditTypeSyscall && type != os::kAuditTypeEndOfEvent) {
    return;
  }
  const std::optional<os::AuditHeader> header = os::ParseAuditHeader(text);
  if (!header) return;
  const size_t body = text.find("): ");
  const std::string_view fields = body == std::string_view::npos ? std::string_view() : text.substr(body + 3);
  if (type == os::kAuditTypeLandlockAccess) {
    std::optional<os::LandlockAccessRecord> access = os::ParseLandlockAccessRecord(fields);
    if (!access) return;
    if (pending_.size() >= kMaxPending) {
      sink(pending_.begin()->second);
      pending_.erase(pending_.begin());
    }
    LandlockAuditDenial& denial = pending_[header->serial];
    denial.serial = header->serial;
    denial.access = std::move(*access);
    return;
  }
  auto it = pending_.find(header->serial);
  if (it == pending_.end()) return;
  LandlockAuditDenial& denial = it->second;
  if (type == os::kAuditTypeLandlockDomain) {
    const std::optional<os::LandlockDomainRecord> domain = os::ParseLandlockDomainRecord(fields);
    if (domain && domain->status == "allocated") denial.domain_pid = domain->pid;
  } else if (type == os::kAuditTypeSyscall) {
    const std::optional<os::SyscallAuditRecord> call = os::ParseSyscallAuditRecord(fields);
    if (call) {
      denial.pid = call->pid;
      denial.comm = call->comm;
      denial.exe = call->exe;
      denial.arch = call->arch;
      denial.syscall = call->syscall;
    }
  } else {  // end of event
    sink(denial);
    pending_.erase(it);
  }
}

void LandlockRecordJoiner::Flush(const Sink& sink) {
  for (const auto& [serial, denial] : pending_) sink(denial);
  pending_.clear();
}

}  // namespace sysfence::run
