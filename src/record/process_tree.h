// SPDX-License-Identifier: Apache-2.0
// The process tree below a pid as it is now (os/proc.h reads /proc): what `record -p` attaches to
// (every thread of every process), before following what the tree starts later.
#pragma once

#include <sys/types.h>

#include <vector>

namespace sysfence::record {

/// `pid` and every process descending from it (by the parent pid /proc/N/stat gives), sorted;
/// empty when `pid` does not exist.
std::vector<pid_t> ProcessTree(pid_t pid);

/// Every thread (/proc/N/task) of every process of ProcessTree(pid), sorted.
std::vector<pid_t> ThreadsOfTree(pid_t pid);

/// Why PTRACE_SEIZE of `tid` may fail with EPERM and attaching still go on: the calling thread
/// already traces it (a child a seized thread forked, attached by PTRACE_O_TRACEFORK), or it has
/// ended (exiting, a zombie, gone). False when another tracer holds it or it is simply running.
bool SeizedByUsOrEnded(pid_t tid);

}  // namespace sysfence::record
