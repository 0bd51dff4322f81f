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
/// Arguments are printed by name where the name means the same position on `arches` (the ABIs the
/// rule applies to; its own `on` ABIs, or x86_64's signature alone, when empty).
std::string PrintRule(const Rule& rule, const std::vector<Arch>& arches = {});

/// Prints a condition of a rule on `syscalls` (its expanded targets, used to name arguments) that
/// applies to `arches` (see PrintRule).
std::string PrintCondition(const Condition& condition, const std::vector<std::string>& syscalls,
                           const std::vector<Arch>& arches = {});

/// Prints one `fs` rule as a single .sfp line without its comment ("fs read-file /etc/shadow");
/// paths the lexer would split (spaces, '#', quotes) are quoted.
std::string PrintFsRule(const FsRule& rule);

/// Prints one `net` rule as a single .sfp line without its comment ("net bind tcp 8123").
std::string PrintNetRule(const NetRule& rule);

}  // namespace sysfence::policy
