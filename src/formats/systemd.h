// SPDX-License-Identifier: Apache-2.0
// Policy -> a systemd hardening drop-in ([Service] settings for NAME.service.d/sysfence.conf).
// Never refuses a policy: what systemd cannot say exactly is widened to what it can, and every
// widening is a warning, in the diagnostics and as a comment in the file. docs/formats.md
// ("systemd out") gives the mapping.
#pragma once

#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Exports `policy` as a drop-in: NoNewPrivileges=, SystemCallArchitectures=, SystemCallFilter=
/// (allow list for a denying default, `~` deny list with per-syscall errnos for a permitting one;
/// argument conditions widened to the syscall), SystemCallErrorNumber=, SystemCallLog=,
/// RestrictAddressFamilies= (socket's family conditions), file-system settings from `fs` rules,
/// socket-bind settings from `net` rules, CapabilityBoundingSet=/AmbientCapabilities= from `caps`,
/// PrivateNetwork= and friends from `unshare`, Limit*= from `rlimit`. Warnings go to
/// `diagnostics`. Deterministic; never fails.
Result<std::string> ExportSystemdUnit(const policy::Policy& policy, Diagnostics& diagnostics);

/// Whether `name` is a service name `--unit` accepts ("web", "web@", "web.service"): letters,
/// digits and ":-_.\@", at most 255 characters, not starting with '.' or '-'.
bool IsValidUnitName(const std::string& name);

}  // namespace sysfence::formats
