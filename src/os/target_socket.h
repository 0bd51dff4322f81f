// SPDX-License-Identifier: Apache-2.0
// What kind of socket a descriptor of another process is: its domain, type and protocol, read from
// a duplicate taken with pidfd_getfd(2) (needs ptrace access to the process: its parent, or root)
// and closed at once. For reports only: a process may change its descriptors at any time.
#pragma once

#include <sys/types.h>

#include <optional>

namespace sysfence::os {

/// SO_DOMAIN, SO_TYPE and SO_PROTOCOL of a socket.
struct SocketKind {
  int domain = 0;
  int type = 0;
  int protocol = 0;
};

/// The kind of socket descriptor `fd` of process `tgid` is; nullopt when it is not a socket or
/// cannot be reached.
std::optional<SocketKind> SocketKindOf(pid_t tgid, int fd);

}  // namespace sysfence::os
