// SPDX-License-Identifier: Apache-2.0
// A policy's `unshare`, `rlimit` and `caps keep` lines as `run` applies them (enforce mode: new
// namespaces, then limits, then capabilities, before no_new_privs, Landlock and the filter), and
// as `run --monitor` reports them instead (nothing applied: what they would have broken, where a
// notified call shows it, and what cannot be seen).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/arch.h"
#include "os/privileges.h"
#include "policy/policy.h"

namespace sysfence::run {

/// The CLONE_NEW* flags of `policy`'s `unshare` line (0 without one).
uint64_t CloneFlagsOf(const policy::Policy& policy);

/// The `rlimit` lines as os limits (RLIMIT_* numbers, RLIM_INFINITY for unlimited).
std::vector<os::ResourceLimit> ResourceLimitsOf(const policy::Policy& policy);

/// Whether the policy has any caps, unshare or rlimit line.
bool HasPrivilegeLines(const policy::Policy& policy);

/// The lines `run --monitor` prints before the program starts: that the lines are not applied,
/// which of their effects the monitor reports (calls needing a capability the caps line drops,
/// among the calls the supervisor sees) and which it cannot observe. Empty without such lines.
std::vector<std::string> MonitorPrivilegeNotes(const policy::Policy& policy);

/// For a call the supervisor saw in monitor mode: the text saying the policy's `caps keep` line
/// would have made it fail ("needs CAP_NET_RAW (socket(AF_INET, SOCK_RAW)), which 'caps keep' drops:
/// it would fail with EPERM"), or nullopt when it would not (no caps line, the capability is kept,
/// or the call needs none the table knows).
std::optional<std::string> CapabilityBreak(const policy::Policy& policy, Arch arch, std::string_view syscall,
                                           std::span<const uint64_t> args);

}  // namespace sysfence::run
