// SPDX-License-Identifier: Apache-2.0
// What the recorders share beyond the os layer: time, the kernel release, pinning, a stop request
// forwarded to the recorded tree, the processes left behind, and turning a path-taking syscall
// into fs access.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "os/proc.h"
#include "profile/profile_builder.h"
#include "record/recorder.h"

namespace sysfence::record {

/// CLOCK_MONOTONIC in nanoseconds (the clock bpf_ktime_get_ns uses).
uint64_t MonotonicNs();

/// `uname -r`.
std::string KernelRelease();

/// Pins the calling thread to the CPU it runs on and returns that CPU (the launched program gets
/// the same one: recorder and program then hand over on one CPU).
int PinToCurrentCpu();

/// Forwards a stop request (the signal the caller's handler stored) once, to every process of the
/// recorded tree, not only the launched one.
class StopForwarder {
 public:
  /// `stop_signal` may be null (never forwards).
  explicit StopForwarder(const std::atomic<int>* stop_signal) : stop_signal_(stop_signal) {}
  /// When a stop was asked and not forwarded yet: sends it to every process `tree()` lists.
  template <typename Tree>
  void Forward(const Tree& tree) {
    if (forwarded_ || stop_signal_ == nullptr || stop_signal_->load() == 0) return;
    forwarded_ = true;
    SignalAll(tree(), stop_signal_->load());
  }

 private:
  static void SignalAll(const std::vector<os::ProcessRef>& processes, int signal);
  const std::atomic<int>* stop_signal_;
  bool forwarded_ = false;
};

/// The processes of `tree` other than `root` that still run (the launched program has exited).
std::vector<Orphan> ListOrphans(const std::vector<os::ProcessRef>& tree, pid_t root);

/// ListOrphans, and kills them (SIGKILL): used where, without the recorder, their every call would
/// fail with ENOSYS.
std::vector<Orphan> EndOrphans(const std::vector<os::ProcessRef>& tree, pid_t root);

/// The processes `pids` name now (with their start times).
std::vector<os::ProcessRef> RefsOf(const std::vector<pid_t>& pids);


/// Records the fs access a path-taking syscall asks for (open, openat, openat2, creat, mkdir,
/// unlink, rename, symlink, truncate, execve ...): reads the path from `tid`'s memory, resolves it
/// against the cwd or dirfd, and calls builder.OnPath. Other syscalls are ignored.
void CapturePathAccess(profile::ProfileBuilder& builder, pid_t tid, std::string_view syscall, const uint64_t args[6]);

/// Drops recorded paths that do not exist now (failed lookups in search paths), keeping the parent
/// folder rights recorded for creations.
void DropMissingPaths(profile::Profile& profile);

/// Folds the rights on files inside a folder where the program created files (make-reg) into that
/// folder's rights: such a file may be missing on the next run, and an `fs` rule naming a missing
/// path stops the run before it starts.
void GrantCreationsToFolders(profile::Profile& profile);

}  // namespace sysfence::record
