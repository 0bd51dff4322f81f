// SPDX-License-Identifier: Apache-2.0
// The symbolic explorer: runs a stack of filters on a Region of inputs instead of one input, and
// splits the region at every conditional jump whose outcome the region does not decide. Each leaf
// is a region on which every filter of the stack takes one path, so the stack's decision is constant
// there. Values are tracked exactly: constants, seccomp_data words (possibly and-masked), and copies
// of them through X and scratch memory; a comparison of anything else (a sum, a shift of a word) is
// an error naming the instruction, because the regions could no longer be described per word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"
#include "inspect/region.h"

namespace sysfence::inspect {

/// Filters as the kernel stacks them: index 0 is the first installed (PTRACE_SECCOMP_GET_FILTER
/// order). Every filter runs; the most restrictive return wins, the newest filter on ties.
using FilterStack = std::vector<bpf::Program>;

/// The stack's decision on a leaf.
struct StackOutcome {
  uint32_t value = 0;          ///< the winning return value
  size_t deciding_filter = 0;  ///< index of the filter whose return won
};

/// The return the kernel keeps of two (seccomp's ACTION_ONLY comparison, signed): true when
/// `candidate` is strictly more restrictive than `current`.
bool MoreRestrictive(uint32_t candidate, uint32_t current);

/// Runs the stack on one concrete input with the exact evaluator (bpf::Evaluate).
Result<StackOutcome> EvaluateStack(const FilterStack& stack, const bpf::SeccompData& data);

/// A conditional jump met on a word, reported to ExploreOptions::on_word_jump.
struct WordJump {
  size_t filter = 0;
  uint32_t pc = 0;
  uint32_t word = 0;  ///< index of the seccomp_data word compared (see word::)
  uint32_t mask = UINT32_MAX;
};

/// Options for Explore.
struct ExploreOptions {
  /// Most leaves before giving up (kLimit).
  size_t max_leaves = 4'000'000;
  /// When set, called for every conditional jump on a word, on every path.
  std::function<void(const WordJump&)> on_word_jump;
  /// When set, filled with one flag per instruction of each filter: reached on some input.
  std::vector<std::vector<bool>>* reached = nullptr;
};

/// Called once per leaf; returning false stops the exploration early (not an error).
using LeafVisitor = std::function<bool(const Region&, const StackOutcome&)>;

/// Explores every input inside `start` (the leaves partition it). The filters must pass the
/// verifier. Errors: a comparison or return of a value the explorer cannot describe per word
/// (kUnsupported, naming filter and instruction), more than max_leaves leaves (kLimit).
Result<size_t> Explore(const FilterStack& stack, const Region& start, const LeafVisitor& visitor,
                       const ExploreOptions& options = {});

}  // namespace sysfence::inspect
