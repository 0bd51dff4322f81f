// SPDX-License-Identifier: Apache-2.0
// The compiler's intermediate representation: for each ABI of a policy, a total, sorted map from
// syscall numbers (the whole 32-bit space, as seccomp_data.nr carries them) to a decision, where a
// decision is either an outcome or a DAG of tests on single 32-bit words of the arguments.
//
// The IR is the policy's meaning with the syntax gone: groups are expanded, names are resolved per
// ABI, rules are ordered (first match), conditions are lowered to word tests with 64-bit comparisons
// split into halves and 32- and 16-bit arguments narrowed. Every leaf remembers which rule decided, so the
// IR evaluator reports the same Decision as policy::Evaluate.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "policy/evaluate.h"

namespace sysfence::ir {

/// Index of a node in Ir::nodes.
using NodeId = uint32_t;

/// Which 32-bit half of a 64-bit argument a test reads.
enum class Half : uint8_t { kLow, kHigh };

/// A comparison of one word against a constant, as one BPF jump performs it (unsigned).
enum class WordOp : uint8_t {
  kEq,   ///< word == k (JEQ)
  kGt,   ///< word > k (JGT)
  kGe,   ///< word >= k (JGE)
  kSet,  ///< (word & k) != 0 (JSET)
};

/// `(argN.half & mask) OP k`. A mask other than all-ones appears with kEq, kGt and kGe (BPF: AND,
/// then the jump): masked equality, and every test on a 16-bit argument (mask 0xffff).
struct WordTest {
  uint8_t arg = 0;  ///< 0..5
  Half half = Half::kLow;
  WordOp op = WordOp::kEq;
  uint32_t mask = 0xffffffffu;
  uint32_t k = 0;
  friend bool operator==(const WordTest&, const WordTest&) = default;
};

/// What a leaf decides, and which part of the policy decided it.
struct LeafDecision {
  Action action;
  policy::DecidedBy by = policy::DecidedBy::kDefault;
  int rule_index = -1;  ///< index into Policy::rules when by == kRule
  friend bool operator==(const LeafDecision&, const LeafDecision&) = default;
};

/// A node of a decision DAG: an outcome, or a test with a successor for each answer. Successors
/// always have smaller ids than the node (the DAG is built bottom-up).
struct Node {
  bool is_leaf = true;
  LeafDecision outcome;  ///< when is_leaf
  WordTest test;          ///< when !is_leaf
  NodeId if_true = 0;
  NodeId if_false = 0;
  friend bool operator==(const Node&, const Node&) = default;
};

/// Syscall numbers [first, last] (inclusive) that share one decision.
struct Range {
  uint32_t first = 0;
  uint32_t last = 0;
  NodeId node = 0;
  friend bool operator==(const Range&, const Range&) = default;
};

/// The decisions of one ABI: ranges sorted by number, covering 0..0xffffffff without gaps, with no
/// two neighbours sharing a node. Numbers this ABI never sees (x86_64 numbers with the x32 bit, x32
/// numbers without it) are covered too, with the default outcome.
struct ArchTable {
  Arch arch = Arch::kX86_64;
  std::vector<Range> ranges;
};

/// The whole IR of a policy.
struct Ir {
  /// Every node; ids index this vector. Structurally equal nodes are stored once.
  std::vector<Node> nodes;
  /// One table per distinct ABI of the policy, in the policy's order.
  std::vector<ArchTable> tables;
  /// What a syscall of an unlisted ABI gets.
  Action badarch_action = Action::KillProcess();
  /// What a syscall no rule decides gets (also the outcome of default leaves).
  Action default_action = Action::Errno(1);

  /// The table of `arch`, or nullptr if the policy does not list it.
  const ArchTable* FindTable(Arch arch) const;
  /// The node deciding syscall number `nr` in `table`.
  static NodeId Lookup(const ArchTable& table, uint32_t nr);
};

}  // namespace sysfence::ir
