// SPDX-License-Identifier: Apache-2.0
// Random valid policies, for property tests (print/parse round trips) and differential tests (the
// compiler and the BPF evaluator against the reference evaluator). A test helper: it lives in the
// test-support library, not in sysfence_policy.
#pragma once

#include <cstdint>
#include <vector>

#include "core/arch.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// What RandomPolicy may produce.
struct RandomPolicyOptions {
  /// ABIs to choose from; each policy lists a random non-empty subset (in this order).
  std::vector<Arch> arches = {Arch::kX86_64, Arch::kX86, Arch::kX32, Arch::kAarch64};
  size_t max_rules = 12;
  size_t max_targets = 4;        ///< per rule
  int max_condition_depth = 3;
  bool groups = true;            ///< sometimes name "@group" targets
  bool only_arches = true;       ///< sometimes restrict a rule to some of the ABIs
  bool fs_and_net = true;        ///< add random fs and net rules
  bool comments = true;          ///< attach random comments
};

/// A random policy that passes CheckPolicy, fully determined by `seed`. Values are drawn from the
/// boundaries that matter (0, 1, 0xffffffff, 1<<32, 1<<63, all ones, sign-extended negatives) and
/// random numbers, always fitting the argument's width on the rule's ABIs.
Policy RandomPolicy(uint64_t seed, const RandomPolicyOptions& options = {});

}  // namespace sysfence::policy
