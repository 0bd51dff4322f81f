// SPDX-License-Identifier: Apache-2.0
#include "os/audit_stream.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "os/netlink_subscription.h"

namespace sysfence::os {

Result<AuditStream> AuditStream::Open() {
  Result<UniqueFd> socket = OpenNetlinkSubscription(NETLINK_AUDIT, SOCK_RAW, AUDIT_NLGRP_READLOG,
                                                    "the kernel audit stream", "CAP_AUDIT_READ, i.e. root");
  if (!socket.ok()) return socket.error();
  return AuditStream(std::move(socket).value());
}

Result<void> AuditStream::Drain(const std::function<void(uint16_t type, std::string_view text)>& on_record) {
  return DrainDatagrams(socket_.get(), "the kernel audit stream", &lost_overflows_, [&](std::string_view datagram) {
    // The read-log group sends one record per datagram. Its nlmsg_len has not always counted the
    // header (an old audit quirk), so the datagram's size bounds the text, not the header.
    if (datagram.size() < NLMSG_HDRLEN) return;
    nlmsghdr header;
    std::memcpy(&header, datagram.data(), sizeof(header));
    std::string_view text = datagram.substr(NLMSG_HDRLEN);
    while (!text.empty() && (text.back() == '\0' || text.back() == '\n')) text.remove_suffix(1);
    on_record(static_cast<uint16_t>(header.nlmsg_type), text);
  });
}

}  // namespace sysfence::os
