// SPDX-License-Identifier: Apache-2.0
// How libseccomp orders several argument rules of one syscall. libseccomp does not try rules in the
// order they were added: it splits each comparison into comparisons of 32-bit words (on 64-bit
// ABIs), merges the rules into a tree that shares equal word nodes, keeps every level sorted
// (higher argument index and the high word first; ==, != and masked == before < and <=, before >
// and >=; then by the word's value, the most specific first) and tries the branches in order.
// Importers reproduce that order so a first-match policy decides what libseccomp's filter decides.
#pragma once

#include <cstdint>
#include <vector>

#include "core/action.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// One argument rule as libseccomp receives it: ANDed comparisons (at most one per argument), an
/// action, and the profile rule it came from.
struct SeccompChain {
  std::vector<policy::Comparison> comparisons;  ///< sorted by argument index
  Action action;
  int rule_index = 0;
};

/// One node of libseccomp's argument tree on a 64-bit ABI. libseccomp splits each 64-bit comparison
/// into comparisons of 32-bit words (db.c, _db_rule_gen_arg_64): ==, != and masked == into the high
/// word's node, then the low word's; <, <=, > and >= into `high >`, `high ==` (its false branch),
/// then the low word's node. Nodes of two rules are shared when `Same` holds, and the nodes of one
/// tree level are kept sorted by `Before`.
struct WordNode {
  enum Branch : uint8_t { kNone, kTrue, kFalse };

  int arg_priority;           ///< argument index * 2, plus 1 for the high word
  int op_priority;            ///< of the rule's operator: ==, !=, masked == 3; <, <= 2; >, >= 1
  policy::CompareOp node_op;  ///< the node's own test: != is tested as ==, <= as >, < as >=
  bool inverted;              ///< < and <=: the smaller datum is tried first
  uint32_t mask;
  uint32_t datum;
  Branch accept;  ///< the branch that accepts the comparison (to the action or the next comparison)
  Branch link;    ///< the branch to the comparison's next word node

  /// libseccomp's _db_chain_eq: one node serves both rules (the rule's operator is not compared).
  bool Same(const WordNode& o) const {
    return arg_priority == o.arg_priority && node_op == o.node_op && mask == o.mask && datum == o.datum;
  }
  /// libseccomp's _db_chain_lt, reversed: true when this node is tried before `o` on one level.
  bool Before(const WordNode& o) const {
    if (arg_priority != o.arg_priority) return arg_priority > o.arg_priority;
    if (op_priority != o.op_priority) return op_priority > o.op_priority;
    return inverted ? datum < o.datum : datum > o.datum;
  }
};

/// libseccomp's word nodes of one rule's comparisons (sorted by argument index), in the order a
/// matching input passes them.
std::vector<WordNode> WordNodes(const std::vector<policy::Comparison>& chain);

/// True when libseccomp shares a high-word node between rule `earlier` and the rule `later` added
/// after it, `earlier` puts its action on a branch of that node (!= on the high word's false ==,
/// > and >= on its true >, < and <= on its false ==) and `later` goes on along the same branch:
/// for inputs that branch takes, libseccomp keeps `earlier`'s action and drops what `later` adds
/// there (db.c, _db_tree_add), whatever the low words and the rules' order say. No first-match
/// order of the two rules reproduces that in general (docs/formats.md, "Rule order").
bool SharedWordDecides(const std::vector<policy::Comparison>& earlier,
                       const std::vector<policy::Comparison>& later);

/// Reorders `chains` (given in the order they were added) into the order libseccomp tries them.
void SortLikeLibseccomp(std::vector<SeccompChain>& chains);

/// True when libseccomp refuses (EEXIST) to add `later` after `earlier` with a different action:
/// the same comparisons, or `later`'s comparisons are a prefix of `earlier`'s.
bool LibseccompRejects(const std::vector<policy::Comparison>& earlier, const std::vector<policy::Comparison>& later);

}  // namespace sysfence::formats
