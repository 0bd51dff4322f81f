// SPDX-License-Identifier: Apache-2.0
#include "os/notify.h"

#include <poll.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "os/seccomp_uapi.h"

namespace sysfence::os {
namespace {

// Size of the kernel's notification structures (they may grow; the kernel tells us how big).
seccomp_notif_sizes NotifSizes() {
  seccomp_notif_sizes sizes{};
  if (SeccompSyscall(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    sizes.seccomp_notif = sizeof(seccomp_notif);
    sizes.seccomp_notif_resp = sizeof(seccomp_notif_resp);
    sizes.seccomp_data = sizeof(seccomp_data);
  }
  return sizes;
}

}  // namespace

NotifyListener::NotifyListener(UniqueFd fd) : fd_(std::move(fd)) {
  const seccomp_notif_sizes sizes = NotifSizes();
  request_.assign(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)), 0);
  response_.assign(std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)), 0);
}

bool NotifyListener::EnableSyncWakeUp() {
  sync_wake_up_ = fd_.valid() && ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
  return sync_wake_up_;
}

bool NotifyListener::IdValid(uint64_t id) const { return ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0; }

Result<bool> NotifyListener::HandleOne(NotifyHandler& handler) {
  auto* request = reinterpret_cast<seccomp_notif*>(request_.data());
  std::memset(request_.data(), 0, request_.size());  // RECV insists on a zeroed buffer
  if (ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_RECV, request) != 0) {
    // ENOENT: the target was interrupted or died between poll and RECV.
    if (errno == EINTR || errno == ENOENT) return false;
    return MakeError(ErrorCode::kOs, fmt::format("seccomp notification receive failed: {}", std::strerror(errno)));
  }
  Notification call;
  call.id = request->id;
  call.tid = static_cast<int>(request->pid);
  static_assert(sizeof(call.data) == sizeof(request->data));
  std::memcpy(static_cast<void*>(&call.data), &request->data, sizeof(call.data));
  // A call interrupted after we received it comes back, identical, once restarted.
  if (!aborted_by_tid_.empty()) {
    if (auto aborted = aborted_by_tid_.find(call.tid); aborted != aborted_by_tid_.end()) {
      call.restart = std::memcmp(aborted->second.data(), &request->data, sizeof(call.data)) == 0;
      aborted_by_tid_.erase(aborted);
    }
  }

  const NotifyAnswer answer = handler.Decide(call);
  auto* response = reinterpret_cast<seccomp_notif_resp*>(response_.data());
  std::memset(response_.data(), 0, response_.size());
  response->id = call.id;
  if (answer.continue_call) {
    response->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    response->error = -answer.error;
  }
  bool delivered = true;
  if (ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_SEND, response) != 0) {
    if (errno != ENOENT) {
      return MakeError(ErrorCode::kOs, fmt::format("seccomp notification answer failed: {}", std::strerror(errno)));
    }
    // Interrupted by a signal (or gone): the call may be restarted and notified again.
    delivered = false;
    std::memcpy(aborted_by_tid_[call.tid].data(), &call.data, sizeof(call.data));
  }
  handler.Answered(call, answer, delivered);
  return true;
}

Result<void> NotifyListener::Run(NotifyHandler& handler, std::vector<WatchedFd> watched, const LoopHooks& hooks) {
  // The watched fds, then the listener; absent ones are -1 (poll ignores negative fds).
  std::vector<pollfd> fds;
  for (const WatchedFd& entry : watched) fds.push_back({entry.fd, POLLIN, 0});
  fds.push_back({fd_.get(), POLLIN, 0});
  pollfd& listener = fds.back();
  for (;;) {
    if (hooks.before_poll) hooks.before_poll();
    const bool pending = hooks.has_pending && hooks.has_pending();
    const int ready = poll(fds.data(), fds.size(), pending ? 0 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kOs, fmt::format("poll on the seccomp listener failed: {}", std::strerror(errno)));
    }
    if (ready == 0) {
      if (hooks.on_idle) hooks.on_idle();
      continue;
    }
    for (size_t i = 0; i < watched.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Result<WatchedFd::Next> next = watched[i].on_ready(fds[i].revents);
      if (!next.ok()) return next.error();
      if (*next == WatchedFd::Next::kStop) return Ok();
      if (*next == WatchedFd::Next::kUnwatch) fds[i].fd = -1;
    }
    if ((listener.revents & POLLIN) != 0) {
      Result<bool> handled = HandleOne(handler);
      if (!handled.ok()) return handled.error();
      continue;
    }
    // No task uses the filter any more: notifications are over.
    if ((listener.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
      if (!hooks.on_hangup || !hooks.on_hangup()) return Ok();
      listener.fd = -1;
    }
  }
}

}  // namespace sysfence::os
