// SPDX-License-Identifier: Apache-2.0
// Policy -> a systemd unit snippet ([Service] SystemCallFilter=, SystemCallErrorNumber=,
// SystemCallArchitectures=, SystemCallLog=). systemd filters by syscall name only, so a policy
// with argument conditions is refused; actions systemd cannot give a syscall are approximated with
// a warning.
#pragma once

#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Exports `policy` as a unit snippet. Fails (kUnsupported) on argument conditions, rules that
/// differ between ABIs, and a `log` default. Warnings go to `diagnostics`. Deterministic.
Result<std::string> ExportSystemdUnit(const policy::Policy& policy, Diagnostics& diagnostics);

}  // namespace sysfence::formats
