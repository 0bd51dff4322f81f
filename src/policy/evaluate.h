// SPDX-License-Identifier: Apache-2.0
// The reference evaluator: what a policy decides for one syscall, straight from the model (no IR,
// no BPF). It is the specification the compiler is tested against, and the runtime uses it to name
// the rule behind a violation.
#pragma once

#include <string_view>

#include "core/action.h"
#include "core/arch.h"
#include "core/seccomp_data.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// Which part of the policy decided.
enum class DecidedBy : uint8_t {
  kRule,     ///< policy.rules[rule_index]
  kDefault,  ///< no rule matched: default_action
  kBadArch,  ///< the ABI is not listed: badarch_action
  kUnknown,  ///< a number above the ABI's syscall table: UnknownAction(policy), when not the default
};

/// The highest syscall number the tables know for `arch` (as a filter sees it: x32 with its bit).
uint32_t HighestKnownNumber(Arch arch);

/// A decision and where it came from.
struct Decision {
  Action action;
  DecidedBy by = DecidedBy::kDefault;
  int rule_index = -1;  ///< index into policy.rules when by == kRule
};

/// Evaluates `policy` on `data` under the semantics of policy.h.
Decision Evaluate(const Policy& policy, const SeccompData& data);

}  // namespace sysfence::policy
