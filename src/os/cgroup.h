// SPDX-License-Identifier: Apache-2.0
// Reading cgroups: which cgroup a process is in, which processes a cgroup holds. What `record
// --cgroup` and the OCI hook follow a container by. Observations only: a process can move between
// two reads, so nothing read here may decide a denial.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace sysfence::os {

/// Where the unified (v2) cgroup hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified
/// on a hybrid machine), from /proc/self/mountinfo; "" when it is not mounted.
std::string CgroupV2Mount();

/// The folder of a cgroup named by `path`: an existing folder that holds a `cgroup.procs` file
/// (`/sys/fs/cgroup/system.slice/x.scope`), or a path inside the v2 hierarchy as /proc/PID/cgroup
/// writes it (`/system.slice/x.scope`). kNotFound when it is neither, kInvalidInput when empty.
Result<std::string> ResolveCgroupDir(const std::string& path);

/// The processes in the cgroup folder `dir` now (its cgroup.procs; not its sub-cgroups), sorted.
/// kNotFound when the cgroup is gone.
Result<std::vector<pid_t>> CgroupProcesses(const std::string& dir);

/// The processes in `dir` and every cgroup below it, sorted (a container runtime may put the
/// container's processes in a child cgroup).
Result<std::vector<pid_t>> CgroupTreeProcesses(const std::string& dir);

/// The v2 cgroup of process `pid` as a folder (CgroupV2Mount() + the "0::" line of
/// /proc/PID/cgroup); kNotFound when the process is gone or has no v2 cgroup.
Result<std::string> CgroupDirOf(pid_t pid);

}  // namespace sysfence::os
