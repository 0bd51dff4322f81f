// SPDX-License-Identifier: Apache-2.0
// The pieces every kernel audit record shares: the header "audit(SECONDS.MILLIS:SERIAL): " and
// space-separated key=value fields, where values the audited process controls (comm, exe, path)
// are quoted when plain and hex-encoded when they hold spaces, quotes or control bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sysfence::os {

/// The header of a record: when the kernel stamped it and the serial shared by the records of one
/// audit event (a Landlock access, its syscall record and its end-of-event record).
struct AuditHeader {
  int64_t time_ms = 0;  ///< milliseconds since the epoch (the kernel's resolution)
  uint64_t serial = 0;
};

/// Parses "audit(1796302794.159:4251684): ..."; nullopt when the header is missing or malformed.
std::optional<AuditHeader> ParseAuditHeader(std::string_view text);

/// The raw value of `key=` at a field boundary (quotes removed; `*quoted` says whether there were
/// any); nullopt when absent or an opening quote is never closed.
std::optional<std::string_view> AuditFieldValue(std::string_view text, std::string_view key,
                                                bool* quoted = nullptr);

/// The value of `key=` as an unsigned number in `base` (16 accepts a leading 0x).
std::optional<uint64_t> AuditFieldNumber(std::string_view text, std::string_view key, int base);

/// The value of `key=` as a signed decimal number.
std::optional<int64_t> AuditFieldSigned(std::string_view text, std::string_view key);

/// A string the process controls, decoded: quoted text as is, hex undone; "" for absent or
/// "(null)"; unparseable hex is returned raw.
std::string AuditUntrustedString(std::string_view text, std::string_view key);

}  // namespace sysfence::os
