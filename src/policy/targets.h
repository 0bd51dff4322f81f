// SPDX-License-Identifier: Apache-2.0
// What a rule's targets mean: syscall names and "@group" names expanded to syscall names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace sysfence::policy {

/// The syscall names `targets` stand for: names as they are, "@group" names expanded through the
/// built-in groups (unknown groups expand to nothing), sorted and unique.
std::vector<std::string> ExpandTargets(const std::vector<std::string>& targets);

/// The syscall names `rule` applies to (ExpandTargets of its targets).
std::vector<std::string> ExpandTargets(const Rule& rule);

/// True when `rule` applies to syscalls of `arch` (its only_arches is empty or lists it).
bool RuleAppliesToArch(const Rule& rule, Arch arch);

/// The ABIs `rule` applies to: its only_arches, or all of `policy`'s ABIs when that is empty.
std::vector<Arch> RuleArches(const Policy& policy, const Rule& rule);

}  // namespace sysfence::policy
