// SPDX-License-Identifier: Apache-2.0
// Policy -> a fragment of an OCI runtime config.json: what the runtime spec can carry of a policy,
// to be merged into a bundle's config.json (`jq -s '.[0] * .[1]' config.json fragment.json`).
#pragma once

#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Exports `policy` as {"process": {"capabilities", "rlimits"}, "linux": {"namespaces", "seccomp"}}:
/// `caps keep` fills all five capability sets, `unshare` the namespaces (user: a warning that the
/// configuration needs uid/gid mappings), `rlimit` the rlimits; seccomp is the exact OCI profile of
/// ExportOciJson. Parts the policy has no line for are left out. `fs` and `net` rules have no
/// place in the spec (Landlock) and are warnings. Fails where ExportOciJson fails. Two-space
/// indented JSON ending in a newline; deterministic.
Result<std::string> ExportOciConfig(const policy::Policy& policy, Diagnostics& diagnostics);

}  // namespace sysfence::formats
