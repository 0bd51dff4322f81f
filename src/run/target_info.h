// SPDX-License-Identifier: Apache-2.0
// What the supervisor learns about a notifying task from /proc and from its memory. Everything here
// is for the event only: it never decides anything, and memory reads must be confirmed with
// SECCOMP_IOCTL_NOTIF_ID_VALID before the bytes are used (the caller's job).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace sysfence::run {

/// The process a thread belongs to, as /proc shows it.
struct TaskInfo {
  int tgid = 0;        ///< process id (0 when unknown)
  std::string comm;    ///< thread name ("?" when unknown)
  std::string exe;     ///< executable path ("?" when unknown)
};

/// Reads TaskInfo for thread ids, keeping each answer for a short while so a burst of events from
/// one thread costs one set of /proc reads.
class TaskInfoCache {
 public:
  /// How long an answer is reused, in nanoseconds.
  static constexpr int64_t kMaxAgeNs = 50'000'000;

  /// Info for thread `tid` (as seen in our pid namespace; 0 = not visible) at time `now_ns`.
  const TaskInfo& Get(int tid, int64_t now_ns);

 private:
  struct Entry {
    TaskInfo info;
    int64_t read_at_ns = 0;
  };
  std::unordered_map<int, Entry> entries_;
  TaskInfo unknown_{0, "?", "?"};
};

/// Reads TaskInfo for `tid` from /proc now.
TaskInfo ReadTaskInfo(int tid);

/// Where file descriptor `fd` of thread `tid` points ("/etc/passwd", "socket:[123]"), or nullopt.
std::optional<std::string> ReadFdTarget(int tid, int fd);

/// Reads a NUL-terminated string of at most `max_bytes` at `address` in the memory of `tid`.
/// nullopt when the memory cannot be read. The result says nothing until the notification is
/// confirmed valid.
std::optional<std::string> ReadTargetString(int tid, uint64_t address, size_t max_bytes);

}  // namespace sysfence::run
