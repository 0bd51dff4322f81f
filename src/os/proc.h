// SPDX-License-Identifier: Apache-2.0
// The one reader of other processes (minijail's "system" side, read-only): what /proc says about a
// task, where its fds point, strings in its memory, its threads and children. Everything here is
// an observation: a task can change between two reads, so nothing read here may decide a denial.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sysfence::os {

/// The process a thread belongs to, as /proc shows it.
struct TaskInfo {
  int tgid = 0;        ///< process id (0 when unknown)
  std::string comm;    ///< thread name ("?" when unknown)
  std::string exe;     ///< executable path ("?" when unknown)
};

/// Reads TaskInfo for `tid` from /proc now.
TaskInfo ReadTaskInfo(int tid);

/// The thread group (process) id of thread `tid`; `tid` itself when unreadable.
pid_t ThreadGroupOf(pid_t tid);

/// The parent process id of process `pid` (/proc/PID/stat); 0 when gone or unreadable.
pid_t ParentOf(pid_t pid);

/// The executable of process `pid` (/proc/PID/exe), "" when unreadable.
std::string ExecutableOf(pid_t pid);

/// readlink(2) of `link`, nullopt when it fails.
std::optional<std::string> ReadLink(const std::string& link);

/// Where file descriptor `fd` of thread `tid` points ("/etc/passwd", "socket:[123]"), or nullopt.
std::optional<std::string> ReadFdTarget(int tid, int fd);

/// The current directory of thread `tid`, "" when unreadable.
std::string WorkingDirectoryOf(pid_t tid);

/// Reads a NUL-terminated string of at most `max_bytes` at `address` in the memory of `tid`.
/// nullopt when nothing can be read; a string cut at an unreadable page is returned as far as it
/// was read. For a notified call the bytes mean nothing until the notification is confirmed valid.
std::optional<std::string> ReadTargetString(int tid, uint64_t address, size_t max_bytes = 4096);

/// Reads exactly `size` bytes at `address` in the memory of `tid`; false when it cannot.
bool ReadTargetBytes(int tid, uint64_t address, void* out, size_t size);

/// The "Seccomp:" field of /proc/PID/status: 0 none, 1 strict, 2 filter; -1 when unreadable.
int SeccompModeOf(pid_t pid);

/// The threads of process `pid` (/proc/PID/task), empty when it is gone.
std::vector<pid_t> ThreadsOf(pid_t pid);

/// Every process whose parent chain leads to `root` (not `root` itself), from /proc; reparented
/// orphans are not found unless `root` is their subreaper.
std::vector<pid_t> DescendantsOf(pid_t root);

/// The command name of process `pid` ("?" when gone).
std::string CommandOf(pid_t pid);

/// Whether process `pid` exists and is not a zombie.
bool IsRunning(pid_t pid);

/// One process, told apart from a later one that reuses its pid by its start time.
struct ProcessRef {
  pid_t pid = 0;
  uint64_t start_time = 0;  ///< clock ticks after boot (/proc/PID/stat field 22); 0 when unknown
};

/// `pid` with its start time now (start_time 0 when it is gone).
ProcessRef RefOf(pid_t pid);

/// Sends `signal` to `process` only if it is still the same process (a pidfd is opened first, then
/// the start time compared, so a reused pid is never signalled). False when it is gone.
bool SignalIfSame(const ProcessRef& process, int signal);

/// Sends `signal` to `root` and every process below it (found first, so a parent that dies of the
/// signal does not hide its children; each through SignalIfSame).
void SignalTree(pid_t root, int signal);

}  // namespace sysfence::os
