// SPDX-License-Identifier: Apache-2.0
#include "watch/record_assembler.h"

#include <fmt/format.h>

#include <optional>

#include "core/arch.h"
#include "os/audit_stream.h"
#include "run/seccomp_audit_record.h"
#include "syscalls/syscalls.h"
#include "os/audit_fields.h"

namespace sysfence::watch {
namespace {

// ABI name and syscall name of (audit arch, nr), as `run`'s events write them.
void SetCall(uint32_t audit_arch, int64_t nr, Violation& violation) {
  violation.nr = nr;
  const std::optional<Arch> arch = ArchOfSyscall(audit_arch, static_cast<uint32_t>(nr));
  violation.arch = arch ? std::string(ArchName(*arch)) : fmt::format("{:#x}", audit_arch);
  if (arch && nr >= 0 && nr <= 0xffffffffLL) {
    violation.syscall = std::string(syscalls::NameOf(*arch, static_cast<uint32_t>(nr)).value_or(""));
  }
}

}  // namespace

void RecordAssembler::Add(uint16_t type, std::string_view text, int64_t now_ms, const Sink& sink) {
  if (type != os::kAuditTypeSeccomp && type != kAuditTypeLandlockAccess && type != kAuditTypeLandlockDomain &&
      type != kAuditTypeSyscall && type != kAuditTypeEndOfEvent) {
    return;
  }
  const std::optional<os::AuditHeader> header = os::ParseAuditHeader(text);
  if (!header) {
    ++malformed_;
    return;
  }
  const std::string_view fields = text.substr(std::min(text.size(), text.find("): ") + 3));
  switch (type) {
    case os::kAuditTypeSeccomp: AddSeccomp(fields, header->serial, header->time_ms, sink); break;
    case kAuditTypeLandlockAccess: AddLandlockAccess(fields, header->serial, header->time_ms, now_ms, sink); break;
    case kAuditTypeLandlockDomain: AddLandlockDomain(fields, header->serial); break;
    case kAuditTypeSyscall: AddSyscall(fields, header->serial); break;
    default: {  // end of event
      auto it = pending_.find(header->serial);
      if (it != pending_.end()) Emit(it, sink);
      break;
    }
  }
}

void RecordAssembler::AddSeccomp(std::string_view text, uint64_t serial, int64_t time_ms, const Sink& sink) {
  const std::optional<run::SeccompAuditRecord> record = run::ParseSeccompAuditRecord(text);
  if (!record || record->pid < 0) {
    ++malformed_;
    return;
  }
  Violation violation;
  violation.kind = ViolationKind::kSeccomp;
  violation.time_ns = time_ms * 1'000'000;
  violation.serial = serial;
  violation.pid = record->pid;
  violation.uid = record->uid;
  violation.comm = record->comm;
  violation.exe = record->exe;
  SetCall(record->arch, record->syscall, violation);
  SetSeccompDecision(record->code, violation);
  violation.signal = record->sig;
  sink(violation);
}

void RecordAssembler::AddLandlockAccess(std::string_view text, uint64_t serial, int64_t time_ms, int64_t now_ms,
                                        const Sink& sink) {
  std::optional<LandlockAccessRecord> access = ParseLandlockAccessRecord(text);
  if (!access) {
    ++malformed_;
    return;
  }
  if (pending_.size() >= kMaxPending) Emit(pending_.begin(), sink);
  Pending& pending = pending_[serial];
  if (pending.has_access) {  // a second denial in one event: report the first, keep the second
    Violation first = pending.violation;
    sink(first);
  }
  pending.since_ms = now_ms;
  pending.has_access = true;
  Violation& violation = pending.violation;
  violation.kind = ViolationKind::kLandlock;
  violation.time_ns = time_ms * 1'000'000;
  violation.serial = serial;
  violation.action = "deny";
  violation.outcome = "denied";
  violation.access = std::move(*access);
  auto creator = domains_.find(violation.access.domain);
  if (creator != domains_.end()) {
    violation.domain_pid = creator->second.pid;
    violation.domain_exe = creator->second.exe;
  }
}

void RecordAssembler::AddLandlockDomain(std::string_view text, uint64_t serial) {
  const std::optional<LandlockDomainRecord> domain = ParseLandlockDomainRecord(text);
  if (!domain) {
    ++malformed_;
    return;
  }
  if (domain->status == "deallocated") {
    domains_.erase(domain->domain);
    return;
  }
  if (domains_.size() >= kMaxDomains) domains_.clear();  // bounded: the creator is a detail
  domains_[domain->domain] = DomainCreator{domain->pid, domain->exe};
  auto it = pending_.find(serial);
  if (it != pending_.end() && it->second.violation.access.domain == domain->domain) {
    it->second.violation.domain_pid = domain->pid;
    it->second.violation.domain_exe = domain->exe;
  }
}

void RecordAssembler::AddSyscall(std::string_view text, uint64_t serial) {
  auto it = pending_.find(serial);
  if (it == pending_.end()) return;  // the syscall record of an event that is not a Landlock denial
  const std::optional<SyscallAuditRecord> call = ParseSyscallAuditRecord(text);
  if (!call) {
    ++malformed_;
    return;
  }
  Violation& violation = it->second.violation;
  violation.pid = call->pid;
  violation.uid = call->uid;
  violation.comm = call->comm;
  violation.exe = call->exe;
  SetCall(call->arch, call->syscall, violation);
}

void RecordAssembler::Expire(int64_t now_ms, const Sink& sink, bool everything) {
  while (!pending_.empty()) {
    auto oldest = pending_.begin();
    // Serials grow with time, but an event's records may interleave with another's: look at all.
    bool any_old = everything;
    for (auto it = pending_.begin(); !any_old && it != pending_.end(); ++it) {
      if (now_ms - it->second.since_ms > kMaxPendingAgeMs) {
        oldest = it;
        any_old = true;
      }
    }
    if (!any_old) return;
    Emit(oldest, sink);
  }
}

void RecordAssembler::Emit(std::map<uint64_t, Pending>::iterator it, const Sink& sink) {
  Pending pending = std::move(it->second);
  pending_.erase(it);
  if (pending.has_access) sink(pending.violation);
}

}  // namespace sysfence::watch
