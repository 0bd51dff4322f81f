// SPDX-License-Identifier: Apache-2.0
// Naming the policy line behind an outcome: from a full decision (a notification carries the
// arguments), or from what a kernel audit record tells (ABI, syscall and action, no arguments).
#pragma once

#include <string>
#include <string_view>

#include "core/action.h"
#include "core/arch.h"
#include "policy/evaluate.h"
#include "policy/policy.h"

namespace sysfence::run {

/// "file:line" of the rule that decided, "default" or "badarch" (an OCI rule: "file: JSON path").
std::string RuleLocation(const policy::Policy& policy, const policy::Decision& decision);

/// What a denial the kernel logged is attributed to.
struct DenialAttribution {
  Action action;     ///< the policy's action (the errno as written, which the audit record omits)
  std::string rule;  ///< as RuleLocation; several candidates as "one of FILE:L1, FILE:L2"
  policy::DecidedBy by = policy::DecidedBy::kDefault;
};

/// Attributes a filter return of kind `returned` (as the enforce-mode filter of `policy` returns
/// it: `notify` rules return errno ENOSYS) for syscall `name` of `arch`. The candidates are the
/// rules naming the syscall on that ABI, in order, up to the first unconditional one, whose action
/// returns `returned`, then the default: one candidate is exact; several (conditional rules whose
/// arguments the record does not carry) are all named. `arch_listed` false means badarch.
DenialAttribution AttributeDenial(const policy::Policy& policy, bool arch_listed, Arch arch, std::string_view name,
                                  ActionKind returned);

}  // namespace sysfence::run
