// SPDX-License-Identifier: Apache-2.0
// Hostile random policies and inputs for the differential suites. Unlike policy::RandomPolicy
// (valid, width-fitting policies for round trips), these reach every corner of the model: constants
// wider than 32-bit arguments, sign-extended negatives, masks with bits in either half, x32 numbers.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bpf/program.h"
#include "policy/policy.h"

namespace sysfence::differential {

/// A random policy using the whole model: nested &&, ||, !, every operator, overlapping rules of
/// different actions (first match decides), @groups, rules limited to some ABIs.
policy::Policy RandomModelPolicy(std::mt19937_64& rng);

/// A random policy whose meaning libseccomp shares: a syscall is named by one unconditional rule,
/// or by rules of one action whose conditions are conjunctions comparing each argument at most
/// once, or by equality rules on one argument with distinct values (disjoint, so first match and
/// libseccomp's merge agree); no rule has the default action; no multiplexed (socketcall, ipc)
/// syscalls; with a 32-bit ABI, only values that fit 32 bits (or are sign-extended negatives); with
/// x32 (whose long arguments libseccomp compares on the low half only), only 32-bit unsigned values.
policy::Policy RandomLibseccompPolicy(std::mt19937_64& rng);

/// Syscalls for `policy` to decide: its own syscalls on its ABIs, random numbers, x32 numbers,
/// other ABIs, with arguments at the boundaries and at the policy's constants. With
/// `zero_high_halves_of_narrow_args`, 32-bit arguments (and every argument on 32-bit ABIs and x32) have a
/// zero high half, the inputs on which libseccomp's 64-bit comparisons mean what ours do.
std::vector<SeccompData> RandomInputs(const policy::Policy& policy, std::mt19937_64& rng, size_t count,
                                           bool zero_high_halves_of_narrow_args);

/// One line naming an input for failure messages: arch, nr (hex) and the six arguments.
std::string DescribeInput(const SeccompData& data);

}  // namespace sysfence::differential
