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

}  // namespace sysfence::record
