// SPDX-License-Identifier: Apache-2.0
// A recording as the calls it saw, for applying it to an existing policy (`sysfence merge
// POLICY RECORDING.json`): the same policy::ObservedCall a run's events give. It lives with the
// CLI because it joins two libraries that do not link each other (record's profile, run's
// condition arguments).
#pragma once

#include <string>
#include <vector>

#include "policy/amend.h"
#include "profile/profile.h"

namespace sysfence::cli {

/// One call per syscall and value of its condition argument (run::ConditionArgsOf) seen in
/// `profile`; a syscall whose values overflowed (more than kMaxArgValues) gives one call without
/// arguments, as generation allows it without a condition. `origin` goes into each call.
std::vector<policy::ObservedCall> ObservedCallsOf(const profile::Profile& recording, const std::string& origin);

}  // namespace sysfence::cli
