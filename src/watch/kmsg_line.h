// SPDX-License-Identifier: Apache-2.0
// /dev/kmsg records, parsed: the fallback source of audit records when the netlink audit stream is
// unavailable. Without auditd, the kernel prints audit records to its log as
// "audit: type=1326 audit(T:S): ...", rate-limited by printk; what it suppressed it says in lines
// such as "kauditd_printk_skb: 12 callbacks suppressed".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sysfence::watch {

/// One /dev/kmsg record: "PRIORITY,SEQUENCE,MICROSECONDS,FLAGS[,...];MESSAGE\n[ KEY=VALUE\n...]".
struct KmsgLine {
  uint64_t sequence = 0;
  std::string_view message;  ///< the first line of the message (continuation lines dropped)
};

/// Parses one record as read(2) returns it; nullopt when the prefix is malformed.
std::optional<KmsgLine> ParseKmsgLine(std::string_view record);

/// An audit record inside a kernel log message.
struct KmsgAuditRecord {
  uint16_t type = 0;
  std::string_view text;  ///< "audit(T:S): ..." as the netlink stream would carry it
};

/// The audit record in `message` ("audit: type=1326 audit(...): ..."), or nullopt.
std::optional<KmsgAuditRecord> AuditRecordInKmsg(std::string_view message);

/// How many audit messages printk suppressed, from "kauditd_printk_skb: N callbacks suppressed";
/// 0 for any other message.
uint64_t SuppressedAuditMessages(std::string_view message);

}  // namespace sysfence::watch
