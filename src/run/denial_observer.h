// SPDX-License-Identifier: Apache-2.0
// Observes the kernel's own denials for one program and its descendants: the filter is installed
// with SECCOMP_FILTER_FLAG_LOG, so every errno/trap/kill it returns becomes a kernel audit record
// (run/seccomp_audit_record.h); fork events from the process connector tell which pids are the
// program's. Neither source is reachable by the program: the audit records are written by the
// kernel and read over netlink by this (root) process, which the program's Landlock domain keeps
// it away from. Root only (CAP_AUDIT_READ, CAP_NET_ADMIN); Open() says why otherwise.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "os/audit_stream.h"
#include "os/process_events.h"
#include "run/landlock_audit_denial.h"
#include "run/seccomp_audit_record.h"

namespace sysfence::run {

/// The pids of one program's process tree, from fork events.
class ProcessTree {
 public:
  /// Starts the tree at `root_tgid`.
  void AddRoot(int root_tgid) {
    root_ = root_tgid;
    members_[root_tgid] = true;
  }
  /// Applies one fork: a child of a member joins; any other new process with a pid we knew is a
  /// reused pid and leaves.
  void Apply(const os::ForkEvent& fork);
  /// True when `tgid` is the root or descends from it. Exits are not applied: a killed process's
  /// record may arrive after its exit, and only a fork can reuse its pid.
  [[nodiscard]] bool Contains(int tgid) const;

 private:
  int root_ = 0;
  std::unordered_map<int, bool> members_;
};

/// Seccomp denials of one process tree, as the kernel logged them.
class DenialObserver {
 public:
  /// Subscribes to the audit stream and fork events. Call before the program is started, so none
  /// of its forks is missed.
  static Result<DenialObserver> Open();

  /// The program's process (its direct child of sysfence).
  void Follow(int root_tgid) { tree_.AddRoot(root_tgid); }

  /// The two descriptors to poll for readability.
  [[nodiscard]] int audit_fd() const { return audit_.fd(); }
  [[nodiscard]] int fork_fd() const { return forks_.fd(); }

  /// Also reports the program's Landlock denials (Landlock ABI 7 audit records; written only while
  /// audit is enabled) to `on_landlock`. A denial is the program's when its SYSCALL record names a
  /// process of the tree, or its domain was created by one (the domain record names the creator).
  void OnLandlock(std::function<void(const LandlockAuditDenial&)> on_landlock) {
    on_landlock_ = std::move(on_landlock);
  }

  /// Times the audit configuration was switched off while the program ran (AUDIT_CONFIG_CHANGE
  /// with audit_enabled=0): Landlock denials after that are enforced but not logged.
  [[nodiscard]] uint64_t audit_disabled() const { return audit_disabled_; }

  /// Reads what is queued: fork events first (so every pid in a record is known), then the seccomp
  /// records of the followed tree, each handed to `on_denial`. Records whose action is user
  /// notification are skipped (the supervisor reports those).
  Result<void> Drain(const std::function<void(const SeccompAuditRecord&)>& on_denial);

  /// Drain(), then waits until every record the kernel had queued before this call has been read
  /// (records reach the stream asynchronously, after the call that caused them): a marker process
  /// makes one logged denial of its own, and records arrive in order. Gives up after `timeout_ms`
  /// (generous: it only costs time when the stream is stuck, and a loaded machine can be slow) and
  /// counts the give-up in drain_timeouts().
  Result<void> DrainAll(const std::function<void(const SeccompAuditRecord&)>& on_denial, int timeout_ms = 10000);

  /// Times DrainAll gave up before its marker came back: denials made last may be missing.
  [[nodiscard]] uint64_t drain_timeouts() const { return drain_timeouts_; }

  /// Records lost because the kernel could not queue them for this reader.
  [[nodiscard]] uint64_t lost() const { return audit_.lost_overflows() + forks_.lost_overflows(); }

 private:
  DenialObserver(os::AuditStream audit, os::ProcessEvents forks)
      : audit_(std::move(audit)), forks_(std::move(forks)) {}
  Result<void> DrainForks();
  void HandleLandlock(const LandlockAuditDenial& denial);

  os::AuditStream audit_;
  os::ProcessEvents forks_;
  ProcessTree tree_;
  int marker_pid_ = 0;       ///< the DrainAll marker process, while one is awaited
  bool marker_seen_ = false;
  std::function<void(const LandlockAuditDenial&)> on_landlock_;
  LandlockRecordJoiner landlock_;
  std::set<std::string> domains_;  ///< Landlock domains created by a process of the tree
  uint64_t audit_disabled_ = 0;
  uint64_t drain_timeouts_ = 0;
};

}  // namespace sysfence::run
