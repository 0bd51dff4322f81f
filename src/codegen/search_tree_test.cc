// SPDX-License-Identifier: Apache-2.0
#include "codegen/search_tree.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <vector>

namespace sysfence::codegen {
namespace {

// Depth of every leaf, checking the tree's shape on the way.
std::vector<size_t> Depths(const SearchTree& tree, size_t leaves) {
  std::vector<size_t> depth(leaves, ~size_t{0});
  std::function<void(size_t, size_t)> walk = [&](size_t index, size_t d) {
    const SearchNode& node = tree.nodes[index];
    if (node.first == node.last) {
      EXPECT_EQ(depth[node.first], ~size_t{0});
      depth[node.first] = d;
      return;
    }
    ASSERT_GE(node.split, node.first);
    ASSERT_LT(node.split, node.last);
    EXPECT_EQ(tree.nodes[node.left].first, node.first);
    EXPECT_EQ(tree.nodes[node.left].last, node.split);
    EXPECT_EQ(tree.nodes[node.right].first, node.split + 1);
    EXPECT_EQ(tree.nodes[node.right].last, node.last);
    walk(node.left, d + 1);
    walk(node.right, d + 1);
  };
  walk(tree.root, 0);
  return depth;
}

double Cost(const std::vector<double>& w, const std::vector<size_t>& depth) {
  double c = 0;
  for (size_t i = 0; i < w.size(); ++i) c += w[i] * static_cast<double>(depth[i]);
  return c;
}

// Exhaustive optimum for small inputs (O(n^3) without Knuth's bound).
double BruteForce(const std::vector<double>& w) {
  const size_t n = w.size();
  std::vector<std::vector<double>> cost(n, std::vector<double>(n, 0));
  for (size_t len = 2; len <= n; ++len) {
    for (size_t i = 0; i + len <= n; ++i) {
      const size_t j = i + len - 1;
      double best = 1e300, weight = 0;
      for (size_t k = i; k <= j; ++k) weight += w[k];
      for (size_t k = i; k < j; ++k) best = std::min(best, cost[i][k] + cost[k + 1][j]);
      cost[i][j] = best + weight;
    }
  }
  return cost[0][n - 1];
}

TEST(SearchTreeTest, SingleLeafIsTheRoot) {
  const std::vector<double> w = {3};
  const SearchTree tree = BuildSearchTree(w);
  EXPECT_EQ(Depths(tree, 1)[0], 0u);
}

TEST(SearchTreeTest, EqualWeightsGiveABalancedTree) {
  const std::vector<double> w(64, 1.0);
  const std::vector<size_t> depth = Depths(BuildSearchTree(w), 64);
  for (size_t d : depth) EXPECT_EQ(d, 6u);
}

TEST(SearchTreeTest, IsOptimalOnRandomWeights) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    const size_t n = 1 + rng() % 40;
    std::vector<double> w(n);
    for (double& x : w) x = (rng() % 4 == 0) ? 0.01 : static_cast<double>(1 + rng() % 100);
    const std::vector<size_t> depth = Depths(BuildSearchTree(w), n);
    EXPECT_NEAR(Cost(w, depth), BruteForce(w), 1e-6) << "n=" << n;
  }
}

TEST(SearchTreeTest, HeavyLeavesSitNearTheRoot) {
  std::vector<double> w(100, 1.0);
  w[77] = 10000;
  const std::vector<size_t> depth = Depths(BuildSearchTree(w), w.size());
  EXPECT_LE(depth[77], 2u);
}

TEST(SearchTreeTest, LargeInputsUseTheMedianSplitAndStayShallow) {
  const size_t n = kOptimalTreeMaxLeaves * 3;
  const std::vector<double> w(n, 1.0);
  const std::vector<size_t> depth = Depths(BuildSearchTree(w), n);
  for (size_t d : depth) EXPECT_LE(d, 9u);  // ceil(log2(384)) = 9
}

}  // namespace
}  // namespace sysfence::codegen
