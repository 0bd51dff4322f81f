// SPDX-License-Identifier: Apache-2.0
#include "ir/node_builder.h"

#include <cassert>
#include <cstdint>

namespace sysfence::ir {
namespace {

size_t Mix(size_t seed, uint64_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2));
}

}  // namespace

size_t NodeBuilder::NodeHash::operator()(const Node& node) const {
  size_t h = node.is_leaf ? 1 : 2;
  if (node.is_leaf) {
    h = Mix(h, static_cast<uint64_t>(node.outcome.action.kind) << 16 | node.outcome.action.data);
    h = Mix(h, static_cast<uint64_t>(node.outcome.by));
    h = Mix(h, static_cast<uint64_t>(static_cast<uint32_t>(node.outcome.rule_index)));
  } else {
    h = Mix(h, uint64_t{node.test.arg} << 16 | uint64_t{static_cast<uint8_t>(node.test.half)} << 8 |
                   static_cast<uint8_t>(node.test.op));
    h = Mix(h, uint64_t{node.test.mask} << 32 | node.test.k);
    h = Mix(h, uint64_t{node.if_true} << 32 | node.if_false);
  }
  return h;
}

NodeBuilder::NodeBuilder(std::vector<Node>& nodes) : nodes_(nodes) {
  for (size_t i = 0; i < nodes_.size(); ++i) index_.emplace(nodes_[i], static_cast<NodeId>(i));
}

NodeId NodeBuilder::Intern(const Node& node) {
  auto [it, inserted] = index_.try_emplace(node, static_cast<NodeId>(nodes_.size()));
  if (inserted) nodes_.push_back(node);
  return it->second;
}

NodeId NodeBuilder::Leaf(const LeafDecision& outcome) {
  Node node;
  node.is_leaf = true;
  node.outcome = outcome;
  return Intern(node);
}

NodeId NodeBuilder::Test(const WordTest& test, NodeId if_true, NodeId if_false) {
  assert(if_true < nodes_.size() && if_false < nodes_.size());
  if (if_true == if_false) return if_true;
  WordTest t = test;
  switch (t.op) {
    case WordOp::kEq:
      if ((t.k & ~t.mask) != 0) return if_false;  // bits outside the mask can never match
      if (t.mask == 0) return if_true;            // 0 == 0
      break;
    case WordOp::kGt:
      if (t.k >= t.mask) return if_false;  // (word & mask) is at most mask
      break;
    case WordOp::kGe:
      if (t.k == 0) return if_true;
      if (t.k > t.mask) return if_false;
      break;
    case WordOp::kSet:
      t.k &= t.mask;  // JSET needs no AND: only the bits of k under the mask matter
      t.mask = 0xffffffffu;
      if (t.k == 0) return if_false;
      break;
  }
  Node node;
  node.is_leaf = false;
  node.test = t;
  node.if_true = if_true;
  node.if_false = if_false;
  return Intern(node);
}

}  // namespace sysfence::ir
