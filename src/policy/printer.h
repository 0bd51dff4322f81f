// SPDX-License-Identifier: Apache-2.0
// The canonical printer: Policy -> .sfp text such that ParsePolicy(PrintPolicy(p)) == p.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace sysfence::policy {

/// Prints `policy` in canonical form (stable order and spacing, comments carried from Rule::comment).
std::string PrintPolicy(const Policy& policy);

/// Prints one rule as a single .sfp line without its comment ("allow mmap if (prot & 0x4) == 0").
std::string PrintRule(const Rule& rule);

/// Prints a condition of a rule on `syscalls` (its expanded targets, used to name arguments).
std::string PrintCondition(const Condition& condition, const std::vector<std::string>& syscalls);

}  // namespace sysfence::policy
