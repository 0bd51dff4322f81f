// SPDX-License-Identifier: Apache-2.0
// The canonical printer: Policy -> .sfp text such that ParsePolicy(PrintPolicy(p)) == p.
#pragma once

#include <string>

#include "policy/policy.h"

namespace sysfence::policy {

/// Prints `policy` in canonical form (stable order and spacing, comments carried from Rule::comment).
std::string PrintPolicy(const Policy& policy);

}  // namespace sysfence::policy
