// SPDX-License-Identifier: Apache-2.0
// The shape of the syscall-number search: a binary tree over sorted ranges, each internal node one
// `jge` comparison, built to minimize the weighted number of comparisons.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace sysfence::codegen {

/// A node of a search tree over leaves [first, last]: a leaf when first == last, else a comparison
/// that sends leaves [first, split] to `left` and [split + 1, last] to `right` (indexes of nodes).
struct SearchNode {
  size_t first = 0;
  size_t last = 0;
  size_t split = 0;
  size_t left = 0;
  size_t right = 0;
};

/// A search tree; nodes[root] covers every leaf.
struct SearchTree {
  std::vector<SearchNode> nodes;
  size_t root = 0;
};

/// A range of at most this many leaves gets the optimal tree (Knuth's O(n^2) dynamic program);
/// above it, nodes split at the weighted median until the ranges are this small.
inline constexpr size_t kOptimalTreeMaxLeaves = 128;

/// The search tree over `weights.size()` (>= 1) ordered leaves minimizing sum(weight x depth).
/// Weights must be positive.
SearchTree BuildSearchTree(std::span<const double> weights);

}  // namespace sysfence::codegen
