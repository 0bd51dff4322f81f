// SPDX-License-Identifier: Apache-2.0
#include "run/denial_observer.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "core/action.h"
#include "os/seccomp_install.h"

namespace sysfence::run {
namespace {

// AUDIT_CONFIG_CHANGE: the audit configuration changed (who switched audit on or off).
constexpr uint16_t kAuditTypeConfigChange = 1305;

}  // namespace

void ProcessTree::Apply(const os::ForkEvent& fork) {
  if (fork.child_pid != fork.child_tgid) return;  // a new thread: its process is already known
  // The root's own fork event (its parent is sysfence) may be read after AddRoot; its pid cannot be
  // reused while sysfence has not reaped it.
  if (fork.child_tgid == root_) return;
  if (Contains(fork.parent_tgid)) {
    members_[fork.child_tgid] = true;
  } else {
    members_.erase(fork.child_tgid);  // a reused pid that is no longer ours
  }
}

bool ProcessTree::Contains(int tgid) const {
  auto it = members_.find(tgid);
  return it != members_.end() && it->second;
}

Result<DenialObserver> DenialObserver::Open() {
  Result<os::AuditStream> audit = os::AuditStream::Open();
  if (!audit.ok()) return audit.error();
  Result<os::ProcessEvents> forks = os::ProcessEvents::Open();
  if (!forks.ok()) return forks.error();
  DenialObserver observer(std::move(audit).value(), std::move(forks).value());
  // Subscribed is not enough: a kernel booted with audit=0, or actions_logged without errno, emits
  // no records, and silence would read as "no denials". A marker denial must come back.
  Result<void> checked = observer.DrainAll([](const SeccompAuditRecord&) {}, 3000);
  if (!checked.ok()) return checked.error();
  if (!observer.marker_seen_) {
    return MakeError(ErrorCode::kUnsupported,
                     "the kernel wrote no audit record for a logged seccomp denial within 3 s (audit disabled at "
                     "boot, or 'errno' missing from /proc/sys/kernel/seccomp/actions_logged)");
  }
  return observer;
}

Result<void> DenialObserver::DrainForks() {
  return forks_.Drain([this](const os::ForkEvent& fork) { tree_.Apply(fork); });
}

Result<void> DenialObserver::Drain(const std::function<void(const SeccompAuditRecord&)>& on_denial) {
  // A fork event is queued when the child is created, before it can make any call, so reading the
  // fork events first means every record below names a pid the tree already knows.
  Result<void> forks = DrainForks();
  if (!forks.ok()) return forks;
  const auto on_landlock = [this](const LandlockAuditDenial& denial) { HandleLandlock(denial); };
  return audit_.Drain([&](uint16_t type, std::string_view text) {
    if (on_landlock_ && type != os::kAuditTypeSeccomp) {
      if (type == kAuditTypeConfigChange && text.find(" audit_enabled=0 ") != std::string_view::npos &&
          text.find(" res=1") != std::string_view::npos) {
        ++audit_disabled_;
      }
      landlock_.Add(type, text, on_landlock);
      return;
    }
    if (type != os::kAuditTypeSeccomp) return;
    std::optional<SeccompAuditRecord> record = ParseSeccompAuditRecord(text);
    if (!record) return;
    if (marker_pid_ != 0 && record->pid == marker_pid_) marker_seen_ = true;
    if (!tree_.Contains(record->pid)) return;
    if ((record->code & seccomp_ret::kActionFullMask) == seccomp_ret::kUserNotif) return;
    on_denial(*record);
  });
}

void DenialObserver::HandleLandlock(const LandlockAuditDenial& denial) {
  // The domain record comes with a domain's first denial only: remember which domains are ours.
  if (denial.domain_pid != 0 && tree_.Contains(denial.domain_pid)) domains_.insert(denial.access.domain);
  const bool ours = domains_.count(denial.access.domain) != 0 || (denial.pid != 0 && tree_.Contains(denial.pid));
  if (ours) on_landlock_(denial);
}

Result<void> DenialObserver::DrainAll(const std::function<void(const SeccompAuditRecord&)>& on_denial,
                                      int timeout_ms) {
  marker_seen_ = false;
  marker_pid_ = os::StartLoggedDenialMarker();
  if (marker_pid_ < 0) {
    marker_pid_ = 0;
    return Drain(on_denial);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Result<void> drained = Ok();
  while (drained.ok() && !marker_seen_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fd{audit_.fd(), POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    drained = Drain(on_denial);
  }
  if (!marker_seen_) ++drain_timeouts_;
  while (waitpid(marker_pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  marker_pid_ = 0;
  // Records come in order: events still waiting for their end record will not get one.
  if (on_landlock_) landlock_.Flush([this](const LandlockAuditDenial& denial) { HandleLandlock(denial); });
  return drained;
}

}  // namespace sysfence::run
