// SPDX-License-Identifier: Apache-2.0
// The walls between a program `run` confines and sysfence itself (the supervisor, its audit reader,
// its alert helpers). Threat: the program, as root or not, tries to silence or subvert what reports
// on it: read or write the supervisor's memory (/proc/PID/mem, process_vm_*), ptrace it, take its
// fds (pidfd_getfd), stop or kill it with a signal. The kernel's walls:
//  - a Landlock domain around the program (any ABI): ptrace-class access from inside a domain to a
//    process outside it is denied, whatever the capabilities (root's CAP_SYS_PTRACE included);
//  - Landlock's signal scope (ABI 6): no signals from inside the domain to processes outside it;
//  - the supervisor is not dumpable once the program is started (same-uid access without
//    CAP_SYS_PTRACE is refused even where Landlock is missing);
//  - every fd of sysfence is close-on-exec, and the seccomp listener is taken from the child
//    before execve and closed there by exec.
// Denials never depend on these walls (the filter returns them itself); the walls protect reporting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sysfence::run {

/// What to do when the kernel cannot raise every wall.
enum class IsolationMode : uint8_t {
  kRequire,     ///< refuse to start the program (the default)
  kBestEffort,  ///< start it with the walls the kernel has, and say which are missing
};

/// Parses "require" or "best-effort".
std::optional<IsolationMode> IsolationModeFromName(std::string_view name);

/// The walls this kernel can raise.
struct Isolation {
  int landlock_abi = 0;           ///< 0: no Landlock
  std::string landlock_reason;    ///< why landlock_abi is 0
  bool ptrace_wall = false;       ///< a Landlock domain (any ABI)
  bool signal_wall = false;       ///< Landlock scope signal (ABI 6)

  /// True when every wall is up.
  [[nodiscard]] bool complete() const { return ptrace_wall && signal_wall; }
  /// Short form for summaries: "landlock-abi-7 ptrace+signal", "landlock-abi-3 ptrace", "none".
  [[nodiscard]] std::string Summary() const;
  /// What is missing and what it allows, for messages ("" when complete).
  [[nodiscard]] std::string MissingText() const;
};

/// The walls for a kernel with Landlock ABI `abi` (pure; `reason` says why abi is 0).
Isolation IsolationForAbi(int abi, std::string reason = {});

/// Probes this kernel. In kRequire mode, fails (kUnsupported) unless every wall is available; the
/// message names what is missing and how to proceed.
Result<Isolation> CheckIsolation(IsolationMode mode);

/// Makes the calling process non-dumpable (prctl PR_SET_DUMPABLE 0).
Result<void> MakeSelfNonDumpable();

}  // namespace sysfence::run
