// SPDX-License-Identifier: Apache-2.0
#include "os/audit_stream.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sysfence::os {

Result<AuditStream> AuditStream::Open() {
  UniqueFd socket(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT));
  if (!socket.valid()) {
    const int err = errno;
    return MakeError(err == EPROTONOSUPPORT ? ErrorCode::kUnsupported : ErrorCode::kOs,
                     std::string("the kernel audit stream is unavailable: socket(NETLINK_AUDIT): ") +
                         std::strerror(err));
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = AUDIT_NLGRP_READLOG;
  if (bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int err = errno;
    return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                     std::string("cannot read the kernel audit stream (needs CAP_AUDIT_READ, i.e. root): ") +
                         std::strerror(err));
  }
  // Denial storms come in bursts: a larger buffer loses fewer records (best effort; capped by
  // net.core.rmem_max unless we may force it).
  const int bytes = 16 << 20;
  if (setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    (void)setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  return AuditStream(std::move(socket));
}

Result<void> AuditStream::Drain(const std::function<void(uint16_t type, std::string_view text)>& on_record) {
  alignas(nlmsghdr) char buffer[16384];
  for (;;) {
    const ssize_t got = recv(socket_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return Ok();
      if (errno == ENOBUFS) {
        ++lost_overflows_;
        continue;
      }
      return MakeError(ErrorCode::kOs, std::string("reading the kernel audit stream: ") + std::strerror(errno));
    }
    // The read-log group sends one record per datagram. Its nlmsg_len has not always counted the
    // header (an old audit quirk), so the datagram's size bounds the text, not the header.
    if (static_cast<size_t>(got) < NLMSG_HDRLEN) continue;
    const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
    std::string_view text(buffer + NLMSG_HDRLEN, static_cast<size_t>(got) - NLMSG_HDRLEN);
    while (!text.empty() && (text.back() == '\0' || text.back() == '\n')) text.remove_suffix(1);
    on_record(static_cast<uint16_t>(header->nlmsg_type), text);
  }
}

}  // namespace sysfence::os
