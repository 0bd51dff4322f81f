// SPDX-License-Identifier: Apache-2.0
// The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC): a fork event for every
// new process and thread on the machine, delivered before the new task runs. `run` uses it to know,
// without racing the processes' exits, which pids belong to the program it started. Needs
// CAP_NET_ADMIN (root).
#pragma once

#include <functional>

#include "core/result.h"
#include "os/unique_fd.h"

namespace sysfence::os {

/// One fork: `child_tgid` (a process, or a thread when child_pid != child_tgid) made by a thread of
/// `parent_tgid`. Pids as seen from the initial pid namespace.
struct ForkEvent {
  int parent_tgid = 0;
  int child_pid = 0;
  int child_tgid = 0;
};

/// A subscription to the process events connector.
class ProcessEvents {
 public:
  /// Subscribes to fork events. Fails with kPermission without CAP_NET_ADMIN.
  static Result<ProcessEvents> Open();
  ProcessEvents(ProcessEvents&& other) noexcept = default;
  ProcessEvents& operator=(ProcessEvents&& other) noexcept = default;
  ~ProcessEvents();

  /// The socket to poll for readability.
  [[nodiscard]] int fd() const { return socket_.get(); }

  /// Reads every event queued now, without blocking, and hands each fork to `on_fork`.
  Result<void> Drain(const std::function<void(const ForkEvent&)>& on_fork);

  /// How many times the socket's buffer overflowed (events were lost).
  [[nodiscard]] uint64_t lost_overflows() const { return lost_overflows_; }

 private:
  explicit ProcessEvents(UniqueFd socket) : socket_(std::move(socket)) {}
  UniqueFd socket_;
  uint64_t lost_overflows_ = 0;
};

}  // namespace sysfence::os
