// SPDX-License-Identifier: Apache-2.0
// Small OS helpers the recorders share: finding the program, reading another process's memory and
// /proc entries, the kernel release, time, and turning a path-taking syscall into fs access.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "profile/profile_builder.h"

namespace sysfence::record {

/// Resolves `program` like execvp: a name without '/' is searched in $PATH. kNotFound when absent,
/// kPermission when found but not executable.
Result<std::string> ResolveProgram(const std::string& program);

/// CLOCK_MONOTONIC in nanoseconds (the clock bpf_ktime_get_ns uses).
uint64_t MonotonicNs();

/// `uname -r`.
std::string KernelRelease();

/// The thread group (process) id of thread `tid`, from /proc; `tid` itself when unreadable.
pid_t ThreadGroupOf(pid_t tid);

/// readlink(2) of `link` ("" when it fails).
std::string ReadLink(const std::string& link);

/// Reads a NUL-terminated string of at most `max` bytes at `address` in process `pid`.
Result<std::string> ReadRemoteString(pid_t pid, uint64_t address, size_t max = 4096);


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
