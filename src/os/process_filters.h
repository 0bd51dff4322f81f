// SPDX-License-Identifier: Apache-2.0
// Reading the seccomp filters of a running thread (PTRACE_SECCOMP_GET_FILTER).
#pragma once

#include <sys/types.h>

#include <vector>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::os {

/// Reads every filter of thread `pid`: attaches with PTRACE_SEIZE, stops it with PTRACE_INTERRUPT,
/// reads each filter, and detaches (the thread continues unharmed). Index 0 of the result is the
/// first installed filter (the kernel's PTRACE_SECCOMP_GET_FILTER order; all filters run and the
/// most restrictive action wins). Needs CAP_SYS_ADMIN, a kernel with CONFIG_CHECKPOINT_RESTORE, and a caller that is
/// not itself under seccomp. Errors name the step (attach, interrupt, read filter N) and errno.
Result<std::vector<bpf::Program>> ReadProcessFilters(pid_t pid);

}  // namespace sysfence::os
