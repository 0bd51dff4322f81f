// SPDX-License-Identifier: Apache-2.0
// Starting a program under a `run` filter, over the os spawner (os/spawn.h): the child is cloned
// into the policy's new namespaces, then in it the signal reset, resource limits, capabilities,
// no_new_privs, Landlock (before_filter), then the seccomp filter with a
// notification listener; the parent takes the listener before the child may call execve. Fails
// closed: when any step fails the program never starts, and the error names the step and the
// reason.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"
#include "os/privileges.h"

namespace sysfence::run {

/// What to start and how.
struct LaunchSpec {
  std::string path;                ///< executable to execve (already resolved)
  std::vector<std::string> argv;   ///< argv[0] included
  bpf::Program filter;             ///< installed last before execve
  bool want_listener = true;       ///< SECCOMP_FILTER_FLAG_NEW_LISTENER
  bool log_denials = false;        ///< SECCOMP_FILTER_FLAG_LOG: the kernel audits every non-allow return
  /// Runs in the child after no_new_privs and before the filter (Landlock goes here). Its error
  /// message is reported as the step "landlock"; the text it returns on success (when not empty)
  /// is passed back to the parent as a note (e.g. what Landlock could not enforce).
  std::function<Result<std::string>()> before_filter;
  /// The policy's `unshare` (CLONE_NEW* flags; 0: none), `rlimit` and `caps keep` lines, applied in
  /// that order before no_new_privs (run/privileges.h builds them).
  uint64_t namespaces = 0;
  std::vector<os::ResourceLimit> limits;
  std::optional<std::vector<int>> keep_capabilities;
};

/// A started child, waiting for Release() before it calls execve.
struct LaunchedChild {
  pid_t pid = -1;
  int pidfd = -1;        ///< pidfd of the child (owned)
  int listener_fd = -1;  ///< the filter's notification fd in this process (owned), or -1
  std::string note;      ///< what before_filter returned
  int exec_errno = 0;    ///< after ReleaseAndAwaitExec failed: execve's errno (0: something else failed)
  std::shared_ptr<void> handover;  ///< the spawner's state until the child calls execve
};

/// Forks and prepares the child up to the point of execve. On error the child is gone and reaped.
Result<LaunchedChild> StartChild(const LaunchSpec& spec);

/// Lets the child call execve, then waits until execve succeeded or failed. While it waits, the
/// caller's supervisor must be running (execve itself may be notified). The error names execve's
/// errno, which `child.exec_errno` then holds; the child has exited by then (and was reaped).
Result<void> ReleaseAndAwaitExec(LaunchedChild& child);

}  // namespace sysfence::run
