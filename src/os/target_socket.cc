// SPDX-License-Identifier: Apache-2.0
#include "os/target_socket.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/unique_fd.h"

namespace sysfence::os {

std::optional<SocketKind> SocketKindOf(pid_t tgid, int fd) {
  const UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, tgid, 0)));
  if (pidfd.get() < 0) return std::nullopt;
  const UniqueFd copy(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  if (copy.get() < 0) return std::nullopt;
  SocketKind kind;
  socklen_t size = sizeof(int);
  if (getsockopt(copy.get(), SOL_SOCKET, SO_DOMAIN, &kind.domain, &size) != 0) return std::nullopt;
  size = sizeof(int);
  if (getsockopt(copy.get(), SOL_SOCKET, SO_TYPE, &kind.type, &size) != 0) return std::nullopt;
  size = sizeof(int);
  if (getsockopt(copy.get(), SOL_SOCKET, SO_PROTOCOL, &kind.protocol, &size) != 0) return std::nullopt;
  return kind;
}

}  // namespace sysfence::os
