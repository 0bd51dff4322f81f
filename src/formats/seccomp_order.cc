// SPDX-License-Identifier: Apache-2.0
#include "formats/seccomp_order.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;

int OpPriority(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kNe:
    case CompareOp::kMaskedEq: return 3;
    case CompareOp::kLt:
    case CompareOp::kLe: return 2;
    case CompareOp::kGt:
    case CompareOp::kGe: return 1;
  }
  return 0;
}

// The word nodes of one comparison, in the order a matching input passes them.
void AppendWordNodes(const Comparison& c, std::vector<WordNode>& out) {
  constexpr auto kNone = WordNode::kNone;
  constexpr auto kTrue = WordNode::kTrue;
  constexpr auto kFalse = WordNode::kFalse;
  const int priority = OpPriority(c.op);
  const bool inverted = c.op == CompareOp::kLt || c.op == CompareOp::kLe;
  const uint64_t mask = c.op == CompareOp::kMaskedEq ? c.mask : ~uint64_t{0};
  const uint64_t datum = c.value & mask;
  const auto hi = [](uint64_t v) { return static_cast<uint32_t>(v >> 32); };
  const auto lo = [](uint64_t v) { return static_cast<uint32_t>(v); };
  const int high = c.arg * 2 + 1;
  const int low = c.arg * 2;
  switch (c.op) {
    case CompareOp::kEq:
    case CompareOp::kNe:
    case CompareOp::kMaskedEq: {
      const CompareOp op = c.op == CompareOp::kMaskedEq ? CompareOp::kMaskedEq : CompareOp::kEq;
      const bool ne = c.op == CompareOp::kNe;
      out.push_back({high, priority, op, inverted, hi(mask), hi(datum), ne ? kFalse : kNone, kTrue});
      out.push_back({low, priority, op, inverted, lo(mask), lo(datum), ne ? kFalse : kTrue, kNone});
      return;
    }
    case CompareOp::kLt:
    case CompareOp::kLe:
    case CompareOp::kGt:
    case CompareOp::kGe: {
      const bool strict_low = c.op == CompareOp::kGt || c.op == CompareOp::kLe;
      out.push_back({high, priority, CompareOp::kGt, inverted, hi(mask), hi(datum), inverted ? kNone : kTrue, kFalse});
      out.push_back({high, priority, CompareOp::kEq, inverted, hi(mask), hi(datum), inverted ? kFalse : kNone, kTrue});
      out.push_back({low, priority, strict_low ? CompareOp::kGt : CompareOp::kGe, inverted, lo(mask), lo(datum),
                     inverted ? kFalse : kTrue, kNone});
      return;
    }
  }
}

}  // namespace

std::vector<WordNode> WordNodes(const std::vector<Comparison>& chain) {
  std::vector<WordNode> nodes;
  for (const Comparison& c : chain) AppendWordNodes(c, nodes);
  return nodes;
}

namespace {

// One level of libseccomp's tree, as sysfence needs it for the order: each node keeps the key of
// the rule that created it (a later rule sharing it takes its place on the level), the rules that
// end there, and the level below.
struct TreeLevel {
  struct Entry {
    WordNode node;
    std::vector<size_t> ending;  // indexes of the chains whose last node this is, in added order
    std::unique_ptr<TreeLevel> below;
  };
  std::vector<Entry> entries;  // in the order libseccomp tries them

  void Add(const std::vector<WordNode>& nodes, size_t from, size_t chain) {
    auto it = entries.begin();
    while (it != entries.end() && !it->node.Same(nodes[from])) ++it;
    if (it == entries.end()) {
      // A new node goes before the first one it sorts before; equal keys keep the added order.
      it = entries.begin();
      while (it != entries.end() && !nodes[from].Before(it->node)) ++it;
      it = entries.insert(it, Entry{nodes[from], {}, nullptr});
    }
    if (from + 1 == nodes.size()) {
      it->ending.push_back(chain);
      return;
    }
    if (!it->below) it->below = std::make_unique<TreeLevel>();
    it->below->Add(nodes, from + 1, chain);
  }

  // Depth first: a rule that ends at a node covers the longer rules below it, so it comes first.
  void Collect(std::vector<size_t>& order) const {
    for (const Entry& entry : entries) {
      order.insert(order.end(), entry.ending.begin(), entry.ending.end());
      if (entry.below) entry.below->Collect(order);
    }
  }
};

}  // namespace

void SortLikeLibseccomp(std::vector<SeccompChain>& chains) {
  // Built as libseccomp builds its tree (db.c, _db_tree_add): each rule walks down the nodes it
  // shares with earlier rules, then takes its place on the first level where it differs.
  TreeLevel top;
  std::vector<size_t> order;
  for (size_t i = 0; i < chains.size(); ++i) {
    const std::vector<WordNode> nodes = WordNodes(chains[i].comparisons);
    if (nodes.empty()) {
      order.push_back(i);  // no comparison: holds always (importers keep such rules apart)
      continue;
    }
    top.Add(nodes, 0, i);
  }
  top.Collect(order);
  std::vector<SeccompChain> sorted;
  sorted.reserve(chains.size());
  for (size_t i : order) sorted.push_back(std::move(chains[i]));
  chains = std::move(sorted);
}

bool LibseccompRejects(const std::vector<Comparison>& earlier, const std::vector<Comparison>& later) {
  if (later.size() > earlier.size()) return false;
  for (size_t i = 0; i < later.size(); ++i) {
    if (!(earlier[i] == later[i])) return false;
  }
  return true;
}

}  // namespace sysfence::formats

namespace sysfence::formats {

bool SharedWordDecides(const std::vector<Comparison>& earlier, const std::vector<Comparison>& later) {
  if (earlier.empty() || later.empty()) return false;
  const std::vector<WordNode> x = WordNodes(earlier);
  const std::vector<WordNode> y = WordNodes(later);
  // Only the nodes of the last comparison carry the rule's action.
  const size_t last_comparison = x.size() - (earlier.back().op == CompareOp::kEq || earlier.back().op == CompareOp::kNe ||
                                                     earlier.back().op == CompareOp::kMaskedEq
                                                 ? 2
                                                 : 3);
  for (size_t k = 0; k < x.size() && k < y.size() && x[k].Same(y[k]); ++k) {
    const bool high_word = x[k].arg_priority % 2 == 1;
    const WordNode::Branch taken = x[k].accept;
    if (high_word && k >= last_comparison && taken != WordNode::kNone && (y[k].accept == taken || y[k].link == taken)) {
      return true;
    }
  }
  return false;
}

}  // namespace sysfence::formats
