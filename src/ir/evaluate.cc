// SPDX-License-Identifier: Apache-2.0
#include "ir/evaluate.h"

#include <cassert>

namespace sysfence::ir {

uint32_t ReadWord(const WordTest& test, const SeccompData& data) {
  const uint64_t arg = data.args[test.arg];
  return static_cast<uint32_t>(test.half == Half::kHigh ? arg >> 32 : arg);
}

bool TestHolds(const WordTest& test, const SeccompData& data) {
  const uint32_t word = ReadWord(test, data) & test.mask;
  switch (test.op) {
    case WordOp::kEq: return word == test.k;
    case WordOp::kGt: return word > test.k;
    case WordOp::kGe: return word >= test.k;
    case WordOp::kSet: return (word & test.k) != 0;
  }
  return false;
}

policy::Decision Evaluate(const Ir& ir, const SeccompData& data) {
  const auto nr = static_cast<uint32_t>(data.nr);
  const auto arch = ArchOfSyscall(data.arch, nr);
  const ArchTable* table = arch ? ir.FindTable(*arch) : nullptr;
  if (table == nullptr) return {ir.badarch_action, policy::DecidedBy::kBadArch, -1};
  NodeId id = Ir::Lookup(*table, nr);
  while (!ir.nodes[id].is_leaf) {
    const Node& node = ir.nodes[id];
    id = TestHolds(node.test, data) ? node.if_true : node.if_false;
  }
  const LeafDecision& outcome = ir.nodes[id].outcome;
  return {outcome.action, outcome.by, outcome.rule_index};
}

}  // namespace sysfence::ir
