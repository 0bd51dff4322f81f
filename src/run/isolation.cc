// SPDX-License-Identifier: Apache-2.0
#include "run/isolation.h"

#include <sys/prctl.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "os/landlock.h"

namespace sysfence::run {

std::optional<IsolationMode> IsolationModeFromName(std::string_view name) {
  if (name == "require") return IsolationMode::kRequire;
  if (name == "best-effort") return IsolationMode::kBestEffort;
  return std::nullopt;
}

std::string Isolation::Summary() const {
  if (!ptrace_wall) return "none";
  return fmt::format("landlock-abi-{} {}", landlock_abi, signal_wall ? "ptrace+signal" : "ptrace");
}

std::string Isolation::MissingText() const {
  if (complete()) return {};
  if (!ptrace_wall) {
    return fmt::format(
        "Landlock is unavailable ({}): the program could reach sysfence's memory, file descriptors and "
        "signals wherever its uid or capabilities allow (root: always)",
        landlock_reason.empty() ? "no reason given" : landlock_reason);
  }
  return fmt::format(
      "Landlock ABI {} cannot scope signals (ABI {} can): the program could stop or kill sysfence where its "
      "uid or capabilities allow",
      landlock_abi, os::kLandlockIsolationAbi);
}

Isolation IsolationForAbi(int abi, std::string reason) {
  Isolation isolation;
  isolation.landlock_abi = abi;
  isolation.landlock_reason = std::move(reason);
  isolation.ptrace_wall = abi >= 1;
  isolation.signal_wall = abi >= os::kLandlockIsolationAbi;
  return isolation;
}

Result<Isolation> CheckIsolation(IsolationMode mode) {
  std::string reason;
  const int abi = os::ProbeLandlockAbi(&reason);
  Isolation isolation = IsolationForAbi(abi, reason);
  if (mode == IsolationMode::kRequire && !isolation.complete()) {
    return MakeError(ErrorCode::kUnsupported,
                     "this kernel cannot wall the program off from sysfence: " + isolation.MissingText() +
                         ". Denials would still be the kernel's, but their reports could be silenced. Nothing "
                         "was started; use --isolation best-effort to run with the walls this kernel has");
  }
  return isolation;
}

Result<void> MakeSelfNonDumpable() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("prctl(PR_SET_DUMPABLE, 0): {}", std::strerror(errno)));
  }
  return Ok();
}

}  // namespace sysfence::run
