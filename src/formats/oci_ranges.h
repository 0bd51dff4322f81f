// SPDX-License-Identifier: Apache-2.0
// Rejoining the ranges an OCI export splits: a comparison on a 32-bit argument is exported as the
// aligned power-of-two blocks of its range (masked equalities on the low word, so libseccomp's
// 64-bit compare reads it as the kernel does), one profile rule per block. Read back one by one,
// those blocks compile to one test each (Docker's `socket` domain rule: 3 ranges became 30 blocks,
// and the filter grew from 90 to 181 instructions). This pass joins them into the ranges again.
#pragma once

#include <cstddef>
#include <vector>

#include "core/arch.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Joins runs of consecutive rules in `rules[first, rules.size())` that name the same targets with
/// the same action and comment, whose conditions are the same comparisons except one interval on
/// the low word of an argument 32 bits wide for every target on every one of `arches`: the run
/// becomes one rule per maximal interval of the union (`x < a`, `x == a` (also for both values of
/// a two-value interval), `x > a`, `a <= x <= b`,
/// `x != a` when the union misses one value, no condition when it misses none). Only for runs
/// whose rules all have the one action of every rule naming those syscalls, where order cannot
/// matter; the caller guarantees that. Decisions are unchanged under sysfence's semantics.
void RejoinLowWordRanges(std::vector<policy::Rule>& rules, size_t first, const std::vector<Arch>& arches);

}  // namespace sysfence::formats
