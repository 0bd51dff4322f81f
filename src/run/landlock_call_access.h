// SPDX-License-Identifier: Apache-2.0
// What one notified call asks of Landlock, and which of it the policy's fs/net rules would deny
// (monitor mode, run/landlock_judge.h). The call's paths are read from the waiting thread's memory
// and resolved from its point of view (its working directory, /proc/TID/cwd, or the directory
// descriptor, /proc/TID/fd/N), as Landlock would see the objects:
//
//   open/openat/openat2/creat  an existing file: read-file, write-file, truncate (O_TRUNC);
//                              a directory: read-dir; a new file (O_CREAT): make-reg (and the
//                              read/write rights) beneath its directory; O_PATH: nothing
//   mkdir, mknod, symlink      make-dir, make-reg/char/block/fifo/sock, make-sym beneath the directory
//   unlink, rmdir              remove-file / remove-dir beneath the directory
//   rename, link               remove-* beneath the source's directory, make-* beneath the target's,
//                              and refer on both when they differ
//   truncate                   truncate
//   execve, execveat           execute and read-file on the program, its "#!" interpreter and its
//                              ELF loader (PT_INTERP), which the kernel opens for execution too
//   bind/connect (TCP socket)  bind-tcp / connect-tcp on the port
//
// A call that will fail anyway (a missing file without O_CREAT, mkdir of an existing name) asks
// nothing. The answer is evidence, never a decision: the caller confirms that the call is still
// pending (SECCOMP_IOCTL_NOTIF_ID_VALID) before using it, and monitor mode lets the call run.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "run/landlock_judge.h"

namespace sysfence::run {

/// The accesses of syscall `name` (x86_64 numbering of its arguments, as the filter saw them) by
/// thread `tid` of process `tgid` that `judge`'s rules would not allow; empty when it needs nothing
/// they deny, or when the thread is not visible (tid 0).
std::vector<LandlockMiss> LandlockMissesOfCall(const LandlockJudge& judge, std::string_view name,
                                               const uint64_t (&args)[6], int tid, int tgid);

}  // namespace sysfence::run
