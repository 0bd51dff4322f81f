// SPDX-License-Identifier: Apache-2.0
#include "os/audit_fields.h"

#include <charconv>

namespace sysfence::os {
namespace {

template <typename T>
std::optional<T> ParseNumber(std::string_view text, int base) {
  if (base == 16 && (text.starts_with("0x") || text.starts_with("0X"))) text.remove_prefix(2);
  T value{};
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<AuditHeader> ParseAuditHeader(std::string_view text) {
  // Past this (the year 2242) the time in nanoseconds would not fit 64 bits: not a real record.
  constexpr int64_t kMaxSeconds = int64_t{1} << 33;
  constexpr std::string_view kOpen = "audit(";
  if (!text.starts_with(kOpen)) return std::nullopt;
  text.remove_prefix(kOpen.size());
  const size_t dot = text.find('.');
  const size_t colon = text.find(':');
  const size_t close = text.find(')');
  if (dot == std::string_view::npos || colon == std::string_view::npos || close == std::string_view::npos ||
      !(dot < colon && colon < close)) {
    return std::nullopt;
  }
  const auto seconds = ParseNumber<int64_t>(text.substr(0, dot), 10);
  const auto millis = ParseNumber<int64_t>(text.substr(dot + 1, colon - dot - 1), 10);
  const auto serial = ParseNumber<uint64_t>(text.substr(colon + 1, close - colon - 1), 10);
  if (!seconds || !millis || !serial || *millis > 999 || *seconds < 0 || *seconds > kMaxSeconds) {
    return std::nullopt;
  }
  return AuditHeader{*seconds * 1000 + *millis, *serial};
}

std::optional<std::string_view> AuditFieldValue(std::string_view text, std::string_view key, bool* quoted) {
  for (size_t at = 0; (at = text.find(key, at)) != std::string_view::npos; at += key.size()) {
    const bool at_boundary = at == 0 || text[at - 1] == ' ';
    const size_t value_at = at + key.size();
    if (!at_boundary || value_at >= text.size() || text[value_at] != '=') continue;
    std::string_view rest = text.substr(value_at + 1);
    if (!rest.empty() && rest.front() == '"') {
      // The kernel never writes a quote inside a quoted value (such strings are hex instead).
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

std::optional<uint64_t> AuditFieldNumber(std::string_view text, std::string_view key, int base) {
  const std::optional<std::string_view> value = AuditFieldValue(text, key);
  if (!value) return std::nullopt;
  return ParseNumber<uint64_t>(*value, base);
}

std::optional<int64_t> AuditFieldSigned(std::string_view text, std::string_view key) {
  const std::optional<std::string_view> value = AuditFieldValue(text, key);
  if (!value) return std::nullopt;
  return ParseNumber<int64_t>(*value, 10);
}

std::string AuditUntrustedString(std::string_view text, std::string_view key) {
  bool quoted = false;
  const std::optional<std::string_view> value = AuditFieldValue(text, key, &quoted);
  if (!value || *value == "(null)") return {};
  if (quoted || value->size() % 2 != 0) return std::string(*value);
  std::string decoded;
  decoded.reserve(value->size() / 2);
  for (size_t i = 0; i < value->size(); i += 2) {
    const int high = HexDigit((*value)[i]);
    const int low = HexDigit((*value)[i + 1]);
    if (high < 0 || low < 0) return std::string(*value);
    decoded.push_back(static_cast<char>(high * 16 + low));
  }
  return decoded;
}

}  // namespace sysfence::os
