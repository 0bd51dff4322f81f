// SPDX-License-Identifier: Apache-2.0
// The kernel's audit stream, read from the netlink "read-log" multicast group: every record the
// kernel emits (seccomp type 1326, Landlock 1423/1424, ...), in addition to and without disturbing
// auditd. Reading it needs CAP_AUDIT_READ in the initial user namespace; the records are the
// kernel's own (a process cannot forge a kernel record type), so they are an observer that a
// confined program cannot reach.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/result.h"
#include "os/unique_fd.h"

namespace sysfence::os {

/// AUDIT_SECCOMP: a seccomp filter returned an action that is logged.
inline constexpr uint16_t kAuditTypeSeccomp = 1326;

/// A subscription to the audit stream.
class AuditStream {
 public:
  /// Subscribes. Fails with kPermission without CAP_AUDIT_READ, kUnsupported when the kernel has no
  /// audit support; the message says which.
  static Result<AuditStream> Open();

  /// The socket to poll for readability.
  [[nodiscard]] int fd() const { return socket_.get(); }

  /// Reads every record queued now, without blocking, and hands each to `on_record` (type, text:
  /// "audit(SECONDS.MS:SERIAL): key=value ..."). Records the kernel dropped because this reader
  /// fell behind are counted in lost_overflows().
  Result<void> Drain(const std::function<void(uint16_t type, std::string_view text)>& on_record);

  /// How many times the socket's buffer overflowed (records were lost; the kernel says ENOBUFS).
  [[nodiscard]] uint64_t lost_overflows() const { return lost_overflows_; }

 private:
  explicit AuditStream(UniqueFd socket) : socket_(std::move(socket)) {}
  UniqueFd socket_;
  uint64_t lost_overflows_ = 0;
};

}  // namespace sysfence::os
