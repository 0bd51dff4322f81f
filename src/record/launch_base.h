// SPDX-License-Identifier: Apache-2.0
// What launching a program needs before its own code runs: execve, then the dynamic loader's and
// the C library's start-up calls. An attached recording (`record -p`) starts after all that, so
// its policy cannot launch the program; `record -p --launchable` adds this base (docs/record.md
// says how it was derived: recordings of trivial static and dynamic programs).
#pragma once

#include <string>
#include <vector>

#include "core/arch.h"
#include "policy/amend.h"
#include "profile/profile.h"

namespace sysfence::record {

/// The launch base as calls of `arch`: execve, the loader's mappings (mmap with PROT_READ,
/// PROT_READ|PROT_WRITE, PROT_READ|PROT_EXEC; mprotect with PROT_READ), library lookups
/// (openat, newfstatat, access, pread64, read, close, readlink), memory and thread set-up (brk,
/// munmap, arch_prctl, set_tid_address, set_robust_list, rseq, prlimit64, getrandom), locale and
/// stdio set-up (futex, ioctl TCGETS), exit_group.
std::vector<policy::ObservedCall> LaunchBaseCalls(Arch arch);

/// Whether `profile` saw the program started (execve or execveat).
bool SawLaunch(const profile::Profile& recording);

/// The policy's leading comment for an attached recording: whether the policy can launch the
/// program (execve seen, or the launch base added), and how to make it able when it cannot.
std::string LaunchNote(const profile::Profile& recording, bool base_added);

}  // namespace sysfence::record
