// SPDX-License-Identifier: Apache-2.0
// The names the OCI/Docker seccomp schema uses (libseccomp's SCMP_ACT_*, SCMP_CMP_*, SCMP_ARCH_* and
// Go's GOARCH spellings), shared by the importer and the exporters.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// An action name as written in a profile, before errnoRet is applied.
enum class OciActionName : uint8_t {
  kKill,  ///< SCMP_ACT_KILL: libseccomp's old name for kill-thread
  kKillProcess,
  kKillThread,
  kTrap,
  kErrno,
  kTrace,
  kAllow,
  kLog,
  kNotify,
};

/// Parses "SCMP_ACT_ALLOW", ...
std::optional<OciActionName> OciActionFromName(std::string_view name);

/// Every action name, for suggestions.
std::span<const std::string_view> OciActionNames();

/// The action `name` means with `errno_ret` (the rule's errnoRet, or nullopt) as runc applies it:
/// ERRNO and TRACE take errnoRet as their data and default to EPERM; the others ignore it.
Action OciActionToAction(OciActionName name, std::optional<uint16_t> errno_ret);

/// The profile spelling of `action` ("SCMP_ACT_ERRNO"); its data goes to errnoRet.
std::string_view OciActionSpelling(const Action& action);

/// Parses "SCMP_CMP_EQ", ...
std::optional<policy::CompareOp> OciOpFromName(std::string_view name);

/// Every comparison operator name, for suggestions.
std::span<const std::string_view> OciOpNames();

/// The profile spelling of `op`.
std::string_view OciOpName(policy::CompareOp op);

/// What a libseccomp architecture name stands for.
struct OciArchName {
  bool known = false;            ///< a libseccomp SCMP_ARCH_* name
  std::optional<Arch> arch;      ///< the sysfence ABI, when sysfence supports it
};

/// Looks up "SCMP_ARCH_X86_64", ... (unsupported-but-valid libseccomp arches are known, without
/// an ABI; "SCMP_ARCH_NATIVE" is resolved by the caller).
OciArchName OciArchFromName(std::string_view name);

/// Every SCMP_ARCH_* name, for suggestions.
std::span<const std::string_view> OciArchNames();

/// The profile spelling of `arch` ("SCMP_ARCH_X86_64").
std::string_view OciArchSpelling(Arch arch);

/// Whether `name` (as written in includes/excludes.arches: Go's GOARCH such as "amd64", or a
/// libseccomp-style name such as "x86_64") names the host ABI `host`.
bool GoArchMatches(std::string_view name, Arch host);

/// Whether `name` is any architecture spelling Docker profiles use (to warn about typos).
bool IsKnownGoArch(std::string_view name);

/// The seccomp filter flags the OCI schema allows ("SECCOMP_FILTER_FLAG_LOG", ...).
std::span<const std::string_view> OciFilterFlags();

}  // namespace sysfence::formats
