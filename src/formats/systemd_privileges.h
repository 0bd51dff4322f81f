// SPDX-License-Identifier: Apache-2.0
// A policy's `caps`, `unshare` and `rlimit` lines as systemd service settings:
//  - `caps keep CAP...` -> CapabilityBoundingSet= (which also bounds the effective, permitted and
//    inheritable sets) and AmbientCapabilities= (so a service with User= keeps them); `caps keep
//    none` -> an empty CapabilityBoundingSet=;
//  - `unshare` -> PrivateNetwork= (net), PrivateIPC= (ipc), ProtectHostname= (uts), PrivateUsers=
//    (user), PrivateMounts= (mount); pid and cgroup have no systemd 252 setting (warning);
//  - `rlimit NAME SOFT [HARD]` -> LimitNAME=SOFT[:HARD] ("infinity" for unlimited), in the
//    kernel's units, which are also systemd's for bare numbers.
#pragma once

#include "formats/systemd_writer.h"
#include "policy/policy.h"

namespace sysfence::formats::systemd {

/// Writes the capability, namespace and resource-limit settings of `policy` (nothing for lines
/// it does not have).
void WritePrivileges(const policy::Policy& policy, DropInText& out);

}  // namespace sysfence::formats::systemd
