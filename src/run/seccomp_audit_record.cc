// SPDX-License-Identifier: Apache-2.0
#include "run/seccomp_audit_record.h"

#include <cstdint>
#include <limits>
#include <type_traits>

#include "os/audit_fields.h"

namespace sysfence::run {
namespace {

// The value of `key=` as a number that must fit T (nullopt when absent, malformed or too large).
template <typename T>
std::optional<T> FieldAs(std::string_view text, std::string_view key, int base) {
  if constexpr (std::is_signed_v<T>) {
    const std::optional<int64_t> value = os::AuditFieldSigned(text, key);
    if (!value || *value < std::numeric_limits<T>::min() || *value > std::numeric_limits<T>::max()) {
      return std::nullopt;
    }
    return static_cast<T>(*value);
  } else {
    const std::optional<uint64_t> value = os::AuditFieldNumber(text, key, base);
    if (!value || *value > std::numeric_limits<T>::max()) return std::nullopt;
    return static_cast<T>(*value);
  }
}

}  // namespace

std::optional<SeccompAuditRecord> ParseSeccompAuditRecord(std::string_view text) {
  SeccompAuditRecord record;
  const auto pid = FieldAs<int>(text, "pid", 10);
  const auto arch = FieldAs<uint32_t>(text, "arch", 16);
  const auto syscall = FieldAs<int64_t>(text, "syscall", 10);
  const auto code = FieldAs<uint32_t>(text, "code", 16);
  if (!pid || !arch || !syscall || !code) return std::nullopt;
  record.pid = *pid;
  record.arch = *arch;
  record.syscall = *syscall;
  record.code = *code;
  if (os::AuditFieldValue(text, "uid")) record.uid = FieldAs<int64_t>(text, "uid", 10).value_or(-1);
  if (os::AuditFieldValue(text, "sig")) record.sig = FieldAs<int>(text, "sig", 10).value_or(0);
  if (os::AuditFieldValue(text, "ip")) record.ip = FieldAs<uint64_t>(text, "ip", 16).value_or(0);
  record.comm = os::AuditUntrustedString(text, "comm");
  record.exe = os::AuditUntrustedString(text, "exe");
  return record;
}

}  // namespace sysfence::run
