// SPDX-License-Identifier: Apache-2.0
#include "os/audit_control.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "os/unique_fd.h"

namespace sysfence::os {
namespace {

Result<UniqueFd> OpenAuditControl() {
  UniqueFd socket(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT));
  if (!socket.valid()) {
    const int err = errno;
    return MakeError(err == EPROTONOSUPPORT ? ErrorCode::kUnsupported : ErrorCode::kOs,
                     std::string("the kernel audit subsystem is unavailable (no audit support?): ") +
                         std::strerror(err));
  }
  // A kernel that never answers must not hang the caller.
  timeval timeout{2, 0};
  (void)setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return socket;
}

struct Request {
  nlmsghdr header;
  audit_status status;
};

// Sends `type` with `status` as payload and reads until the kernel's reply of `reply_type` (0: an
// acknowledgement only). The reply's payload lands in `*reply`.
Result<void> Exchange(uint16_t type, const audit_status& status, uint16_t reply_type, audit_status* reply,
                      const char* what) {
  Result<UniqueFd> socket = OpenAuditControl();
  if (!socket.ok()) return socket.error();
  Request request{};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(audit_status));
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.header.nlmsg_seq = 1;
  request.status = status;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(socket->get(), &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof(kernel)) < 0) {
    return MakeError(ErrorCode::kOs, std::string(what) + ": sending to the audit subsystem: " + std::strerror(errno));
  }
  bool got_reply = reply_type == 0;
  bool got_ack = false;
  alignas(nlmsghdr) char buffer[8192];
  while (!(got_reply && got_ack)) {
    const ssize_t got = recv(socket->get(), buffer, sizeof(buffer), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kOs, std::string(what) + ": no answer from the audit subsystem: " +
                                           std::strerror(errno));
    }
    // One datagram may carry the reply and the acknowledgement.
    size_t remaining = static_cast<size_t>(got);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer);
         remaining >= sizeof(nlmsghdr) && header->nlmsg_len >= sizeof(nlmsghdr) && header->nlmsg_len <= remaining;) {
      if (header->nlmsg_type == NLMSG_ERROR) {
        nlmsgerr error{};
        std::memcpy(&error, NLMSG_DATA(header), sizeof(error));
        const int err = -error.error;
        if (err == 0) {
          got_ack = true;
        } else {
          return MakeError(err == EPERM || err == EACCES ? ErrorCode::kPermission : ErrorCode::kOs,
                         std::string(what) + " refused (needs CAP_AUDIT_CONTROL, and an unlocked audit "
                                             "configuration): " + std::strerror(err));
        }
      } else if (header->nlmsg_type == reply_type && reply != nullptr) {
        *reply = audit_status{};
        const size_t payload = header->nlmsg_len - NLMSG_HDRLEN;
        std::memcpy(reply, NLMSG_DATA(header), std::min(payload, sizeof(audit_status)));
        got_reply = true;
      }
      const size_t step = std::min<size_t>(NLMSG_ALIGN(header->nlmsg_len), remaining);
      remaining -= step;
      header = reinterpret_cast<nlmsghdr*>(reinterpret_cast<char*>(header) + step);
    }
    if (got_reply && reply_type != 0) break;  // AUDIT_GET: the reply may come before or without an ack
  }
  return Ok();
}

}  // namespace

Result<AuditStatus> GetAuditStatus() {
  audit_status reply{};
  Result<void> done = Exchange(AUDIT_GET, audit_status{}, AUDIT_GET, &reply, "reading the audit status");
  if (!done.ok()) return done.error();
  AuditStatus status;
  status.enabled = reply.enabled;
  status.failure = reply.failure;
  status.pid = reply.pid;
  status.rate_limit = reply.rate_limit;
  status.backlog_limit = reply.backlog_limit;
  status.lost = reply.lost;
  status.backlog = reply.backlog;
  return status;
}

Result<void> SetAuditSettings(const AuditSettings& settings) {
  audit_status request{};
  if (settings.enabled) {
    request.mask |= AUDIT_STATUS_ENABLED;
    request.enabled = *settings.enabled;
  }
  if (settings.rate_limit) {
    request.mask |= AUDIT_STATUS_RATE_LIMIT;
    request.rate_limit = *settings.rate_limit;
  }
  if (settings.backlog_limit) {
    request.mask |= AUDIT_STATUS_BACKLOG_LIMIT;
    request.backlog_limit = *settings.backlog_limit;
  }
  if (request.mask == 0) return Ok();
  return Exchange(AUDIT_SET, request, 0, nullptr, "changing the audit settings");
}

}  // namespace sysfence::os
