// SPDX-License-Identifier: Apache-2.0
#include "os/process_events.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "os/netlink_subscription.h"

namespace sysfence::os {
namespace {

// Tells the connector to start (or stop) sending this socket process events.
bool SendMulticastOp(int socket, proc_cn_mcast_op op) {
  // nlmsghdr, then cn_msg (whose payload is a flexible array), then the operation.
  alignas(nlmsghdr) unsigned char request[NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))] = {};
  auto* header = reinterpret_cast<nlmsghdr*>(request);
  header->nlmsg_len = sizeof(request);
  header->nlmsg_type = NLMSG_DONE;
  header->nlmsg_pid = static_cast<uint32_t>(getpid());
  auto* message = static_cast<cn_msg*>(NLMSG_DATA(header));
  message->id.idx = CN_IDX_PROC;
  message->id.val = CN_VAL_PROC;
  message->len = sizeof(proc_cn_mcast_op);
  std::memcpy(message->data, &op, sizeof(op));
  return send(socket, request, sizeof(request), 0) == static_cast<ssize_t>(sizeof(request));
}

}  // namespace

Result<ProcessEvents> ProcessEvents::Open() {
  Result<UniqueFd> opened = OpenNetlinkSubscription(NETLINK_CONNECTOR, SOCK_DGRAM, CN_IDX_PROC, "process events",
                                                    "CAP_NET_ADMIN, i.e. root");
  if (!opened.ok()) return opened.error();
  UniqueFd socket = std::move(opened).value();
  if (!SendMulticastOp(socket.get(), PROC_CN_MCAST_LISTEN)) {
    const int err = errno;
    return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                     std::string("cannot subscribe to process events: ") + std::strerror(err));
  }
  return ProcessEvents(std::move(socket));
}

ProcessEvents::~ProcessEvents() {
  if (socket_.valid()) (void)SendMulticastOp(socket_.get(), PROC_CN_MCAST_IGNORE);
}

Result<void> ProcessEvents::Drain(const std::function<void(const ForkEvent&)>& on_fork) {
  return DrainDatagrams(socket_.get(), "process events", &lost_overflows_, [&](std::string_view datagram) {
    alignas(nlmsghdr) char buffer[16384];
    std::memcpy(buffer, datagram.data(), datagram.size());
    size_t left = datagram.size();
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, left);
         header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_len < NLMSG_HDRLEN + sizeof(cn_msg) + sizeof(proc_event)) continue;
      const auto* message = static_cast<const cn_msg*>(NLMSG_DATA(header));
      if (message->id.idx != CN_IDX_PROC || message->id.val != CN_VAL_PROC) continue;
      proc_event event;
      std::memcpy(&event, message->data, sizeof(event));
      if (event.what != proc_event::PROC_EVENT_FORK) continue;
      on_fork(ForkEvent{static_cast<int>(event.event_data.fork.parent_tgid),
                        static_cast<int>(event.event_data.fork.child_pid),
                        static_cast<int>(event.event_data.fork.child_tgid)});
    }
  });
}

}  // namespace sysfence::os
