// SPDX-License-Identifier: Apache-2.0
// The one seccomp user-notification loop (sandbox2's Monitor side): receive a notification, let a
// handler decide the answer, send it, and tell the handler how it went. The loop knows the kernel
// protocol (buffer sizes, zeroed receive buffers, ENOENT when the target went away, ID_VALID,
// FD_SYNC_WAKE_UP, restarted calls); handlers know what the calls mean (the run supervisor's
// policy decision and report, the recorder's profile).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"
#include "os/unique_fd.h"

namespace sysfence::os {

/// One received notification.
struct Notification {
  uint64_t id = 0;
  int tid = 0;               ///< the calling thread (0 when not visible in our pid namespace)
  SeccompData data;     ///< the call as the filter saw it
  /// The same call again after the previous answer came back ENOENT (a signal interrupted it and
  /// it was restarted): not a new call.
  bool restart = false;
};

/// How to answer a notification.
struct NotifyAnswer {
  bool continue_call = true;  ///< SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel runs the call
  int error = 0;              ///< otherwise the call fails with this errno
};

/// What a notification loop asks of its user.
class NotifyHandler {
 public:
  virtual ~NotifyHandler() = default;
  /// Decides the answer for `call` (may read the target's memory; confirm with IdValid).
  virtual NotifyAnswer Decide(const Notification& call) = 0;
  /// After the answer: `delivered` is false when the target had gone or was interrupted (ENOENT).
  virtual void Answered(const Notification& call, const NotifyAnswer& answer, bool delivered) = 0;
};

/// An fd the loop also watches, and what to do when it is ready.
struct WatchedFd {
  /// What the loop does next.
  enum class Next { kContinue, kStop, kUnwatch };
  int fd = -1;
  std::function<Result<Next>(short revents)> on_ready;
};

/// Hooks around the poll; all optional.
struct LoopHooks {
  /// True while the user has buffered work: the loop then polls without blocking.
  std::function<bool()> has_pending;
  /// Called when a non-blocking poll found nothing (write buffered events out).
  std::function<void()> on_idle;
  /// Called before every poll (look at a stop flag set by a signal handler).
  std::function<void()> before_poll;
  /// Called when no task uses the filter any more; return true to go on without the listener.
  std::function<bool()> on_hangup;
};

/// A notification listener fd and the protocol around it.
class NotifyListener {
 public:
  /// Takes ownership of `fd` (may be invalid: then only watched fds are served).
  explicit NotifyListener(UniqueFd fd);

  /// Asks the kernel to wake the target synchronously on our CPU (Linux 6.6+); whether it agreed.
  bool EnableSyncWakeUp();
  /// Whether FD_SYNC_WAKE_UP is in effect.
  bool sync_wake_up() const { return sync_wake_up_; }
  /// The listener fd (owned).
  int fd() const { return fd_.get(); }

  /// Whether notification `id` is still pending (the bytes read from the target meant something).
  bool IdValid(uint64_t id) const;

  /// Receives one notification (blocking), asks `handler`, answers. Returns false when there was
  /// nothing to handle (the target went away first, or a signal interrupted the wait).
  Result<bool> HandleOne(NotifyHandler& handler);

  /// Serves notifications and `watched` until a watched fd says stop, or no task uses the filter
  /// any more (and on_hangup does not ask to go on). Fails only when the listener or poll fails.
  Result<void> Run(NotifyHandler& handler, std::vector<WatchedFd> watched, const LoopHooks& hooks = {});

 private:
  UniqueFd fd_;
  bool sync_wake_up_ = false;
  std::vector<unsigned char> request_;
  std::vector<unsigned char> response_;
  // Per thread, the call whose answer came back ENOENT: its restart is not a new call. A thread
  // has one call in flight, so one entry each.
  std::unordered_map<int, std::array<unsigned char, sizeof(SeccompData)>> aborted_by_tid_;
};

}  // namespace sysfence::os
