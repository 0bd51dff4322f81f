// SPDX-License-Identifier: Apache-2.0
// What the supervisor learns about a notifying task, read through the os process reader
// (os/proc.h). Everything here is for the event only: it never decides anything, and memory reads
// must be confirmed with SECCOMP_IOCTL_NOTIF_ID_VALID before the bytes are used (the caller's job).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "os/proc.h"

namespace sysfence::run {

using os::ReadFdTarget;
using os::ReadTargetString;
using os::ReadTaskInfo;
using os::TaskInfo;

/// Reads TaskInfo for thread ids, keeping each answer for a short while so a burst of events from
/// one thread costs one set of /proc reads.
class TaskInfoCache {
 public:
  /// How long an answer is reused, in nanoseconds.
  static constexpr int64_t kMaxAgeNs = 50'000'000;

  /// Info for thread `tid` (as seen in our pid namespace; 0 = not visible) at time `now_ns`.
  const TaskInfo& Get(int tid, int64_t now_ns);

  /// Drops what is known of `tid` (it called execve: its name and executable change).
  void Forget(int tid) { entries_.erase(tid); }

 private:
  struct Entry {
    TaskInfo info;
    int64_t read_at_ns = 0;
  };
  std::unordered_map<int, Entry> entries_;
  TaskInfo unknown_{0, "?", "?"};
};

}  // namespace sysfence::run
