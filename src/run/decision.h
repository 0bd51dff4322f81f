// SPDX-License-Identifier: Apache-2.0
// The supervisor's decision part: for a notified call, what the policy decides and which rule
// decided (the IR evaluator names it: the same IR the filter was compiled from, so the named rule
// is the one the kernel applied), the call's shape for counting, and the answer to give.
#pragma once

#include <optional>
#include <string_view>
#include <unordered_map>

#include "bpf/program.h"
#include "core/arch.h"
#include "ir/ir.h"
#include "policy/evaluate.h"
#include "policy/policy.h"
#include "run/ledger.h"
#include "run/supervised_policy.h"

namespace sysfence::run {

/// What the policy says about one notified call.
struct CallDecision {
  policy::Decision decision;   ///< action and deciding rule of the original policy
  Response response;           ///< the answer for the kernel
  std::optional<Arch> arch;    ///< the ABI, when (audit arch, nr) names one
  std::string_view name;       ///< the syscall name ("" when unknown)
  CallShape shape;             ///< what the ledger counts it under
};

/// Evaluates one policy for notified calls; never allocates per call once warm.
class CallDecider {
 public:
  /// Builds the IR of `policy` (borrowed: it must outlive the decider).
  CallDecider(const policy::Policy& policy, RunMode mode);

  /// Decides `data`.
  CallDecision Decide(const SeccompData& data);

  /// The decision alone (action and deciding rule).
  policy::Decision Evaluate(const SeccompData& data) const;

 private:
  int KeyArgFor(uint32_t audit_arch, int32_t nr, std::string_view name);

  const policy::Policy& policy_;
  RunMode mode_;
  std::optional<ir::Ir> ir_;  ///< absent only if the IR cannot be built (then the reference evaluator)
  std::unordered_map<uint64_t, int> key_args_;
};

/// The shape's `decided_by` for a decision: rule index, -1 default, -2 badarch, -3 unknown.
int DecidedByIndex(const policy::Decision& decision);

}  // namespace sysfence::run
