// SPDX-License-Identifier: Apache-2.0
#include "codegen/search_tree.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace sysfence::codegen {
namespace {

class TreeBuilder {
 public:
  explicit TreeBuilder(std::span<const double> weights) : n_(weights.size()), prefix_(n_ + 1, 0.0) {
    for (size_t i = 0; i < n_; ++i) prefix_[i + 1] = prefix_[i] + weights[i];
  }

  SearchTree Build() {
    if (n_ <= kOptimalTreeMaxLeaves) Optimize();
    SearchTree tree;
    tree.root = Emit(tree, 0, n_ - 1);
    return tree;
  }

 private:
  double Weight(size_t i, size_t j) const { return prefix_[j + 1] - prefix_[i]; }
  size_t& Root(size_t i, size_t j) { return root_[i * n_ + j]; }
  double& Cost(size_t i, size_t j) { return cost_[i * n_ + j]; }

  // cost(i, j) = W(i, j) + min over splits k of cost(i, k) + cost(k + 1, j); Knuth: the best split
  // of [i, j] lies between those of [i, j - 1] and [i + 1, j].
  void Optimize() {
    cost_.assign(n_ * n_, 0.0);
    root_.assign(n_ * n_, 0);
    for (size_t i = 0; i < n_; ++i) Root(i, i) = i;
    for (size_t len = 2; len <= n_; ++len) {
      for (size_t i = 0; i + len <= n_; ++i) {
        const size_t j = i + len - 1;
        const size_t lo = Root(i, j - 1);
        const size_t hi = std::min(Root(i + 1, j), j - 1);
        double best = std::numeric_limits<double>::infinity();
        size_t best_k = lo;
        for (size_t k = lo; k <= hi; ++k) {
          const double c = Cost(i, k) + Cost(k + 1, j);
          if (c < best) {
            best = c;
            best_k = k;
          }
        }
        Cost(i, j) = best + Weight(i, j);
        Root(i, j) = best_k;
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
    // Compare with the split one to the left.
    if (k > i && std::abs(prefix_[k] - half) < std::abs(prefix_[k + 1] - half)) --k;
    return k;
  }

  size_t Emit(SearchTree& tree, size_t i, size_t j) {
    const size_t index = tree.nodes.size();
    tree.nodes.push_back({i, j, i, 0, 0});
    if (i == j) return index;
    const size_t k = root_.empty() ? MedianSplit(i, j) : Root(i, j);
    const size_t left = Emit(tree, i, k);
    const size_t right = Emit(tree, k + 1, j);
    tree.nodes[index].split = k;
    tree.nodes[index].left = left;
    tree.nodes[index].right = right;
    return index;
  }

  size_t n_;
  std::vector<double> prefix_;
  std::vector<double> cost_;
  std::vector<size_t> root_;
};

}  // namespace

SearchTree BuildSearchTree(std::span<const double> weights) {
  assert(!weights.empty());
  return TreeBuilder(weights).Build();
}

}  // namespace sysfence::codegen
