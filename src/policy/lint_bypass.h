// SPDX-License-Identifier: Apache-2.0
// Bypass lints: a rule that restricts a syscall protects nothing when another syscall (a "door")
// does the same operation unchecked. `sysfence check` prints these warnings through LintPolicy.
#pragma once

#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// Adds one warning, at the restricting rule, for every rule whose restriction a door gets around,
/// naming the door, the rule (or the default) that lets the door through, and the fix:
///  - twins: openat2 for open/openat, open and openat for each other, pkey_mprotect for mprotect,
///    mmap2 for mmap, execveat for execve, clone3 for clone;
///  - multiplexers on the ABIs that have them: socketcall (selected by `call`) for the socket
///    calls, ipc (selected by `call & 0xffff`; the high half is a version the kernel ignores) for
///    the SysV shm/sem/msg calls;
///  - personality with READ_IMPLIES_EXEC for rules on mmap/mmap2/mprotect/pkey_mprotect's prot;
///  - clone restricted by its arguments while clone3 is denied otherwise than with errno ENOSYS
///    (the C library falls back to clone on ENOSYS only).
/// A syscall counts as restricted when a reachable rule naming it has a condition or denies it,
/// and some call of it is denied. Doors are looked for on every ABI of the policy: a process of
/// one ABI can make the calls of another (int 0x80). `policy` should have passed CheckPolicy.
void LintBypasses(const Policy& policy, Diagnostics& diagnostics);

}  // namespace sysfence::policy
