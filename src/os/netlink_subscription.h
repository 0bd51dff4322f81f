// SPDX-License-Identifier: Apache-2.0
// A netlink socket subscribed to a multicast group of a kernel stream (the audit read-log group,
// the process events connector): opened close-on-exec and non-blocking with a large receive
// buffer, read one datagram at a time without blocking.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/result.h"
#include "os/unique_fd.h"

namespace sysfence::os {

/// Opens a `type` (SOCK_RAW, SOCK_DGRAM) netlink socket of `protocol` bound to `groups`. `what`
/// names the stream and `privilege` what binding needs, for the messages.
Result<UniqueFd> OpenNetlinkSubscription(int protocol, int type, uint32_t groups, std::string_view what,
                                         std::string_view privilege);

/// Receives every datagram queued on `socket` now and hands each to `on_datagram`; an overflow of
/// the receive buffer (the kernel dropped messages: ENOBUFS) adds one to `*overflows`.
Result<void> DrainDatagrams(int socket, std::string_view what, uint64_t* overflows,
                            const std::function<void(std::string_view datagram)>& on_datagram);

}  // namespace sysfence::os
