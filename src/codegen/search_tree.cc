// SPDX-License-Identifier: Apache-2.0
#include "codegen/search_tree.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>

namespace sysfence::codegen {
namespace {

class TreeBuilder {
 public:
  explicit TreeBuilder(std::span<const double> weights) : n_(weights.size()), prefix_(n_ + 1, 0.0) {
    for (size_t i = 0; i < n_; ++i) prefix_[i + 1] = prefix_[i] + weights[i];
  }

  SearchTree Build() {
    SearchTree tree;
    tree.root = Emit(tree, 0, n_ - 1);
    return tree;
  }

 private:
  double Weight(size_t i, size_t j) const { return prefix_[j + 1] - prefix_[i]; }
  // Tables of the window [base_, base_ + m_) being optimized, indexed relative to base_.
  uint16_t& Root(size_t i, size_t j) { return root_[i * m_ + j]; }
  double& Cost(size_t i, size_t j) { return cost_[i * m_ + j]; }

  // Optimal tree over leaves [base, base + m): cost(i, j) = W(i, j) + min over splits k of
  // cost(i, k) + cost(k + 1, j); Knuth: the best split of [i, j] lies between those of [i, j - 1]
  // and [i + 1, j], which makes this O(m^2).
  void Optimize(size_t base, size_t m) {
    base_ = base;
    m_ = m;
    cost_.assign(m * m, 0.0);
    root_.assign(m * m, 0);
    for (size_t i = 0; i < m; ++i) Root(i, i) = static_cast<uint16_t>(i);
    for (size_t len = 2; len <= m; ++len) {
      for (size_t i = 0; i + len <= m; ++i) {
        const size_t j = i + len - 1;
        const size_t lo = Root(i, j - 1);
        const size_t hi = std::min<size_t>(Root(i + 1, j), j - 1);
        double best = std::numeric_limits<double>::infinity();
        size_t best_k = lo;
        for (size_t k = lo; k <= hi; ++k) {
          const double c = Cost(i, k) + Cost(k + 1, j);
          if (c < best) {
            best = c;
            best_k = k;
          }
        }
        Cost(i, j) = best + Weight(base + i, base + j);
        Root(i, j) = static_cast<uint16_t>(best_k);
      }
    }
  }

  // The split of [i, j] that best halves its weight.
  size_t MedianSplit(size_t i, size_t j) const {
    const double half = (prefix_[i] + prefix_[j + 1]) / 2;
    auto it = std::lower_bound(prefix_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                               prefix_.begin() + static_cast<std::ptrdiff_t>(j) + 1, half);
    size_t k = static_cast<size_t>(it - prefix_.begin()) - 1;  // prefix_[k + 1] >= half
    k = std::clamp(k, i, j - 1);
    if (k > i && std::abs(prefix_[k] - half) < std::abs(prefix_[k + 1] - half)) --k;
    return k;
  }

  // Large ranges split at the weighted median; a range of at most kOptimalTreeMaxLeaves leaves is
  // optimized once and emitted from its table.
  size_t Emit(SearchTree& tree, size_t i, size_t j) {
    const size_t index = tree.nodes.size();
    tree.nodes.push_back({i, j, i, 0, 0});
    if (i == j) return index;
    size_t k;
    if (!root_.empty() && i >= base_ && j < base_ + m_) {
      k = base_ + Root(i - base_, j - base_);
    } else if (j - i + 1 <= kOptimalTreeMaxLeaves) {
      Optimize(i, j - i + 1);
      k = base_ + Root(0, j - i);
    } else {
      k = MedianSplit(i, j);
    }
    const size_t left = Emit(tree, i, k);
    const size_t right = Emit(tree, k + 1, j);
    tree.nodes[index].split = k;
    tree.nodes[index].left = left;
    tree.nodes[index].right = right;
    return index;
  }

  size_t n_;
  std::vector<double> prefix_;
  size_t base_ = 0;
  size_t m_ = 0;
  std::vector<double> cost_;
  std::vector<uint16_t> root_;
};

}  // namespace

SearchTree BuildSearchTree(std::span<const double> weights) {
  assert(!weights.empty());
  return TreeBuilder(weights).Build();
}

}  // namespace sysfence::codegen
