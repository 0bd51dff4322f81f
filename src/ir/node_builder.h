// SPDX-License-Identifier: Apache-2.0
// Builds the nodes of an Ir: structurally equal nodes get one id, and tests whose answer is known
// from their constants alone fold away.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

#include "ir/ir.h"

namespace sysfence::ir {

/// A hash-consing constructor for decision DAG nodes, writing into a node vector it does not own.
class NodeBuilder {
 public:
  /// Builds into `nodes` (which may already hold nodes; they are indexed on first use).
  explicit NodeBuilder(std::vector<Node>& nodes);

  /// The leaf deciding `outcome`.
  NodeId Leaf(const LeafDecision& outcome);

  /// A node running `test` and continuing at `if_true` or `if_false`. Folds tests whose answer does
  /// not depend on the word (JGE 0, JGT 0xffffffff, JSET 0, masked compares that cannot hold) and
  /// tests whose successors are equal.
  NodeId Test(const WordTest& test, NodeId if_true, NodeId if_false);

 private:
  NodeId Intern(const Node& node);

  struct NodeHash {
    size_t operator()(const Node& node) const;
  };
  std::vector<Node>& nodes_;
  std::unordered_map<Node, NodeId, NodeHash> index_;
};

}  // namespace sysfence::ir
