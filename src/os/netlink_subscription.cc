// SPDX-License-Identifier: Apache-2.0
#include "os/netlink_subscription.h"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sysfence::os {

Result<UniqueFd> OpenNetlinkSubscription(int protocol, int type, uint32_t groups, std::string_view what,
                                         std::string_view privilege) {
  UniqueFd socket(::socket(AF_NETLINK, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol));
  if (!socket.valid()) {
    const int err = errno;
    return MakeError(err == EPROTONOSUPPORT ? ErrorCode::kUnsupported : ErrorCode::kOs,
                     std::string(what) + " is unavailable: " + std::strerror(err));
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = groups;
  if (bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int err = errno;
    return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                     "cannot read " + std::string(what) + " (needs " + std::string(privilege) + "): " +
                         std::strerror(err));
  }
  // Bursts (a denial loop, a fork storm) come faster than one reader: a larger buffer loses less.
  // Best effort; without CAP_NET_ADMIN the size is capped by net.core.rmem_max.
  const int bytes = 64 << 20;
  if (setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    (void)setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  return socket;
}

Result<void> DrainDatagrams(int socket, std::string_view what, uint64_t* overflows,
                            const std::function<void(std::string_view datagram)>& on_datagram) {
  alignas(nlmsghdr) char buffer[16384];
  for (;;) {
    const ssize_t got = recv(socket, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return Ok();
      if (errno == ENOBUFS) {
        ++*overflows;
        continue;
      }
      return MakeError(ErrorCode::kOs, "reading " + std::string(what) + ": " + std::strerror(errno));
    }
    on_datagram(std::string_view(buffer, static_cast<size_t>(got)));
  }
}

}  // namespace sysfence::os
