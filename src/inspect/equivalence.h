// SPDX-License-Identifier: Apache-2.0
// The equivalence checker: proves that two filter stacks decide every input the same way, or lists
// where they do not. The constants each program compares each seccomp_data word with split the word
// into finitely many classes; the symbolic explorer enumerates exactly the class combinations that
// can matter (the regions where both stacks take one path each), and each region's representative
// is run through both stacks with the exact evaluator (bpf::Evaluate), which also cross-checks the
// explorer. Two returns decide identically when the kernel treats them the same (Action equality:
// errno capped at 4095, data of allow/kill ignored, unknown actions as kill-process).
#pragma once

#include <cstddef>
#include <vector>

#include "core/action.h"
#include "core/result.h"
#include "inspect/explorer.h"
#include "inspect/region.h"

namespace sysfence::inspect {

/// One region where the stacks decide differently.
struct Difference {
  Region region;                ///< every input here is decided as below
  bpf::SeccompData witness;     ///< a representative input
  StackOutcome left, right;     ///< what each stack returns on it
  Action LeftAction() const { return Action::FromSeccompRet(left.value); }
  Action RightAction() const { return Action::FromSeccompRet(right.value); }
};

/// Options for CheckEquivalence.
struct EquivalenceOptions {
  Region start;                     ///< compare only inputs inside this region (default: all)
  size_t max_differences = 100000;  ///< stop collecting past this many (difference_count still exact)
  size_t max_regions = 4'000'000;   ///< give up (kLimit) past this many regions
};

/// The result of a comparison.
struct EquivalenceReport {
  size_t regions = 0;           ///< class combinations compared (each with both stacks run on it)
  size_t difference_count = 0;  ///< regions where the decisions differ
  std::vector<Difference> differences;
  /// True when the stacks decide every input (inside the start region) identically.
  bool Equivalent() const { return difference_count == 0; }
};

/// Compares `left` and `right` on every input. Both must pass the verifier. Errors: a filter the
/// explorer cannot describe (kUnsupported), too many regions (kLimit), and kInternal when the
/// evaluator contradicts the explorer (a bug, never a verdict).
Result<EquivalenceReport> CheckEquivalence(const FilterStack& left, const FilterStack& right,
                                           const EquivalenceOptions& options = {});

}  // namespace sysfence::inspect
