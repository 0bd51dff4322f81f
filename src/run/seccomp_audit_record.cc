// SPDX-License-Identifier: Apache-2.0
#include "run/seccomp_audit_record.h"

#include <charconv>

namespace sysfence::run {
namespace {

// The value of `key=` in `text`, matched at a field boundary; quoted values lose their quotes (the
// kernel never writes a quote inside a quoted value: such strings are hex-encoded instead).
std::optional<std::string_view> FieldValue(std::string_view text, std::string_view key, bool* quoted) {
  for (size_t at = 0; (at = text.find(key, at)) != std::string_view::npos; at += key.size()) {
    const bool at_boundary = at == 0 || text[at - 1] == ' ';
    const size_t value_at = at + key.size();
    if (!at_boundary || value_at >= text.size() || text[value_at] != '=') continue;
    std::string_view rest = text.substr(value_at + 1);
    if (!rest.empty() && rest.front() == '"') {
      const size_t end = rest.find('"', 1);
      if (end == std::string_view::npos) return std::nullopt;
      if (quoted != nullptr) *quoted = true;
      return rest.substr(1, end - 1);
    }
    if (quoted != nullptr) *quoted = false;
    return rest.substr(0, rest.find(' '));
  }
  return std::nullopt;
}

template <typename T>
std::optional<T> Number(std::string_view text, int base) {
  if (base == 16 && text.starts_with("0x")) text.remove_prefix(2);
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// An untrusted string as the kernel logs it: quoted text, or hex of the raw bytes.
std::string UntrustedString(std::string_view text, std::string_view key) {
  bool quoted = false;
  const std::optional<std::string_view> value = FieldValue(text, key, &quoted);
  if (!value || *value == "(null)") return {};
  if (quoted) return std::string(*value);
  std::string decoded;
  if (value->size() % 2 != 0) return std::string(*value);
  for (size_t i = 0; i < value->size(); i += 2) {
    const int high = HexDigit((*value)[i]);
    const int low = HexDigit((*value)[i + 1]);
    if (high < 0 || low < 0) return std::string(*value);
    decoded.push_back(static_cast<char>(high * 16 + low));
  }
  return decoded;
}

}  // namespace

std::optional<SeccompAuditRecord> ParseSeccompAuditRecord(std::string_view text) {
  SeccompAuditRecord record;
  auto pid = FieldValue(text, "pid", nullptr);
  auto arch = FieldValue(text, "arch", nullptr);
  auto syscall = FieldValue(text, "syscall", nullptr);
  auto code = FieldValue(text, "code", nullptr);
  if (!pid || !arch || !syscall || !code) return std::nullopt;
  const auto pid_value = Number<int>(*pid, 10);
  const auto arch_value = Number<uint32_t>(*arch, 16);
  const auto syscall_value = Number<int64_t>(*syscall, 10);
  const auto code_value = Number<uint32_t>(*code, 16);
  if (!pid_value || !arch_value || !syscall_value || !code_value) return std::nullopt;
  record.pid = *pid_value;
  record.arch = *arch_value;
  record.syscall = *syscall_value;
  record.code = *code_value;
  if (auto uid = FieldValue(text, "uid", nullptr)) record.uid = Number<int64_t>(*uid, 10).value_or(-1);
  if (auto sig = FieldValue(text, "sig", nullptr)) record.sig = Number<int>(*sig, 10).value_or(0);
  if (auto ip = FieldValue(text, "ip", nullptr)) record.ip = Number<uint64_t>(*ip, 16).value_or(0);
  record.comm = UntrustedString(text, "comm");
  record.exe = UntrustedString(text, "exe");
  return record;
}

}  // namespace sysfence::run
