// SPDX-License-Identifier: Apache-2.0
#include "watch/kmsg_line.h"

#include <charconv>

namespace sysfence::watch {
namespace {

std::optional<uint64_t> Decimal(std::string_view text) {
  uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<KmsgLine> ParseKmsgLine(std::string_view record) {
  const size_t semicolon = record.find(';');
  if (semicolon == std::string_view::npos) return std::nullopt;
  std::string_view prefix = record.substr(0, semicolon);
  const size_t first = prefix.find(',');
  if (first == std::string_view::npos || !Decimal(prefix.substr(0, first))) return std::nullopt;
  prefix.remove_prefix(first + 1);
  const std::optional<uint64_t> sequence = Decimal(prefix.substr(0, prefix.find(',')));
  if (!sequence) return std::nullopt;
  std::string_view message = record.substr(semicolon + 1);
  message = message.substr(0, message.find('\n'));
  return KmsgLine{*sequence, message};
}

std::optional<KmsgAuditRecord> AuditRecordInKmsg(std::string_view message) {
  constexpr std::string_view kPrefix = "audit: type=";
  if (!message.starts_with(kPrefix)) return std::nullopt;
  message.remove_prefix(kPrefix.size());
  const size_t space = message.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::optional<uint64_t> type = Decimal(message.substr(0, space));
  if (!type || *type > 0xffff) return std::nullopt;
  std::string_view text = message.substr(space + 1);
  if (!text.starts_with("audit(")) return std::nullopt;
  return KmsgAuditRecord{static_cast<uint16_t>(*type), text};
}

uint64_t SuppressedAuditMessages(std::string_view message) {
  constexpr std::string_view kPrintk = "kauditd_printk_skb: ";
  constexpr std::string_view kSuppressed = " callbacks suppressed";
  if (message.starts_with(kPrintk) && message.ends_with(kSuppressed)) {
    message.remove_prefix(kPrintk.size());
    message.remove_suffix(kSuppressed.size());
    return Decimal(message).value_or(0);
  }
  return 0;
}

}  // namespace sysfence::watch
