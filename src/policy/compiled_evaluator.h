// SPDX-License-Identifier: Apache-2.0
// A precomputed form of the reference evaluator for hot paths (the runtime supervisor names the
// rule behind every violation): the same decisions as Evaluate, without allocating per call.
#pragma once

#include <cstdint>
#include <vector>

#include "core/arch.h"
#include "core/seccomp_data.h"
#include "policy/evaluate.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// Evaluates one policy many times. Construction indexes, per ABI and syscall number, the rules
/// that name it (in policy order) with their argument widths; Evaluate then does a binary search
/// and walks only those rules. Decisions equal policy::Evaluate's for every input.
class CompiledEvaluator {
 public:
  /// Indexes `policy` (copied: the evaluator is self-contained).
  explicit CompiledEvaluator(Policy policy);

  /// What the policy decides for `data`; never allocates.
  Decision Evaluate(const SeccompData& data) const;

  /// The policy being evaluated.
  const Policy& policy() const { return policy_; }

 private:
  struct Candidate {
    uint32_t rule;
    uint8_t widths[6];
    /// The rule's condition with named arguments resolved for this ABI and syscall, or -1 when it
    /// names none (the rule's own condition is used as it is).
    int32_t resolved = -1;
  };
  struct Entry {
    uint32_t nr;
    uint32_t first;  ///< index into candidates_
    uint32_t count;
  };
  struct ArchIndex {
    Arch arch;
    std::vector<Entry> entries;  ///< sorted by nr
  };

  Policy policy_;
  std::vector<ArchIndex> arches_;
  std::vector<Candidate> candidates_;
  /// Conditions of rules that name arguments, resolved per (ABI, syscall) at construction.
  std::vector<Condition> resolved_;
};

}  // namespace sysfence::policy
