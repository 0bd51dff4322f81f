// SPDX-License-Identifier: Apache-2.0
// A policy's `fs` and `net` rules as the plain Landlock grants os/ enforces (os knows no policy).
#pragma once

#include <vector>

#include "os/landlock.h"
#include "policy/policy.h"

namespace sysfence::run {

/// The grants `fs_rules` and `net_rules` ask for, each keeping its rule's span: an fs rule's access
/// words are Landlock's own file-system rights, a `net bind|connect tcp PORT` rule is one TCP right.
os::LandlockGrants LandlockGrantsOf(const std::vector<policy::FsRule>& fs_rules,
                                    const std::vector<policy::NetRule>& net_rules);

/// The grants of `policy`'s fs and net rules.
os::LandlockGrants LandlockGrantsOf(const policy::Policy& policy);

}  // namespace sysfence::run
