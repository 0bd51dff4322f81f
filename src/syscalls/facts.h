// SPDX-License-Identifier: Apache-2.0
// Facts about syscalls that policy generation and the coverage report rely on: what every program
// needs, fallback twins, when recent syscalls appeared in Linux, and which ones are dangerous.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sysfence::syscalls {

/// Syscalls every generated policy allows whether seen or not: exiting, returning from signal
/// handlers and restarting interrupted calls (rare, so a recording easily misses them).
std::span<const std::string_view> AlwaysNeededSyscalls();

/// Syscalls the vDSO answers in user space on some clock sources and passes to the kernel on others
/// (a recording on one machine cannot tell whether they are needed): generation allows them.
std::span<const std::string_view> VdsoFallbackSyscalls();

/// A newer syscall that libc tries first, falling back to `older` when it fails with ENOSYS.
struct FallbackTwin {
  std::string_view newer;
  std::string_view older;
};

/// Every known fallback twin.
std::span<const FallbackTwin> FallbackTwins();

/// Syscalls whose callers handle ENOSYS gracefully with no twin (rseq registration).
std::span<const std::string_view> EnosysSafeSyscalls();

/// The Linux release ("5.3") that added syscall `name`, for syscalls added since 5.0 (numbers 424
/// and up, shared by every ABI); nullopt for older ones and unknown names.
std::optional<std::string_view> IntroducedIn(std::string_view name);

/// Why allowing `name` widens what a compromised program can do, or nullopt if not dangerous.
std::optional<std::string_view> DangerReason(std::string_view name);

}  // namespace sysfence::syscalls
