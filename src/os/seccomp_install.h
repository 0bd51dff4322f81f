// SPDX-License-Identifier: Apache-2.0
// Installing a seccomp filter into the calling process.
#pragma once

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::os {

/// How to install a filter.
struct InstallOptions {
  bool set_no_new_privs = true;  ///< prctl(PR_SET_NO_NEW_PRIVS) first (required without CAP_SYS_ADMIN)
  bool thread_sync = false;      ///< SECCOMP_FILTER_FLAG_TSYNC: apply to every thread of the process
  bool log = false;              ///< SECCOMP_FILTER_FLAG_LOG: log every non-allow action
  bool new_listener = false;     ///< SECCOMP_FILTER_FLAG_NEW_LISTENER: return a notification fd
  bool wait_killable_recv = false;  ///< SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19+)
};

/// Installs `program` (verified first) into the calling thread/process. Returns the listener fd when
/// options.new_listener, else -1. The error says which step failed (verify, no_new_privs, seccomp)
/// and why (errno, and for TSYNC the id of the thread that could not be synchronized).
Result<int> InstallFilter(const bpf::Program& program, const InstallOptions& options = {});

/// Forks a process that makes one call its own filter denies with SECCOMP_FILTER_FLAG_LOG, so the
/// kernel writes one audit record for it (a marker in the audit stream), then exits. Returns its
/// pid (the caller reaps it), or -1 when fork failed. Only raw syscalls after fork (the caller may
/// have threads).
int StartLoggedDenialMarker();

}  // namespace sysfence::os
