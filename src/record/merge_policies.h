// SPDX-License-Identifier: Apache-2.0
// Uniting policies from several runs: what any of them lets through, the union lets through.
#pragma once

#include <vector>

#include "policy/policy.h"

namespace sysfence::record {

/// Unites `policies` (at least one): ABIs unite; the default and badarch actions are the first
/// policy's. For each target name (syscall or @group as written), the permitting rules (allow,
/// log) of every policy come first, deduplicated, in first-seen order; an unconditional one
/// replaces the rest. Denying rules (errno, kill, ...) for a name follow, only where no policy
/// allows it unconditionally, in first-seen order; fs and net rules unite; caps, unshare and rlimit lines unite as
/// policy::UnitePrivileges says. Multi-target rules are
/// split per target so each name's rules stay together.
policy::Policy MergePolicies(const std::vector<policy::Policy>& policies);

}  // namespace sysfence::record
