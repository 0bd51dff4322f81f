// SPDX-License-Identifier: Apache-2.0
// What a process keeps of the kernel's privileges: new namespaces (with identity uid/gid maps for a
// new user namespace), resource limits, and capabilities (libcap). Each function changes the
// calling process (capabilities: the calling thread) and names in its error what was refused and
// why. `os` knows no policy: callers pass clone flags, RLIMIT_* numbers and capability numbers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace sysfence::os {

/// The CLONE_NEW* flags as text ("CLONE_NEWUSER|CLONE_NEWNET"), for messages.
std::string CloneFlagsText(uint64_t flags);

/// Why clone or unshare with `flags` failed with `error`, with what would fix it (the message is the
/// reason only: callers name the step).
Error NamespaceError(uint64_t flags, int error);

/// The ids a new user namespace maps: the caller's, captured before the namespace exists.
struct IdentityMap {
  uid_t uid = 0;
  gid_t gid = 0;
  bool privileged = false;  ///< the caller had CAP_SETUID and CAP_SETGID: map every id to itself
};

/// The caller's ids and privilege, for SetUpNamespaces after the clone.
IdentityMap CurrentIdentity();

/// Runs in a process just created in new namespaces (`flags`): writes the user namespace's maps
/// (identity for a privileged caller, else the caller's uid and gid alone, with setgroups
/// denied), makes a new mount namespace's mounts private (so nothing mounted inside reaches the
/// host), mounts a fresh proc on /proc when the process is in a new PID namespace and a new mount
/// namespace (CLONE_NEWPID | CLONE_NEWNS: /proc then lists that namespace's processes only, and
/// /proc/self is the process), and raises the loopback interface of a new network namespace.
/// CLONE_NEWPID means the calling process itself is in the new PID namespace (it was cloned into
/// it): a caller of unshare(2), which stays in its PID namespace, leaves the flag out.
Result<void> SetUpNamespaces(uint64_t flags, const IdentityMap& identity);

/// One resource limit: RLIMIT_* number, its name for messages ("NOFILE"), soft and hard values
/// (RLIM_INFINITY is unlimited).
struct ResourceLimit {
  int resource = 0;
  std::string name;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

/// Sets each limit (prlimit on this process). Raising a hard limit needs CAP_SYS_RESOURCE.
Result<void> ApplyResourceLimits(std::span<const ResourceLimit> limits);

/// Keeps only `keep` (capability numbers): every other capability leaves the bounding set (needs
/// CAP_SETPCAP), and the permitted, effective and inheritable sets become `keep`, which is also
/// raised in the ambient set so a program that is not set-uid keeps it across execve. A kept
/// capability the thread does not hold is an error (kPermission). Uses libcap.
Result<void> KeepOnlyCapabilities(std::span<const int> keep);

/// The capability numbers the running kernel knows (0 .. CAP_LAST_CAP).
int LastKernelCapability();

}  // namespace sysfence::os
