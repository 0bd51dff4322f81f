// SPDX-License-Identifier: Apache-2.0
#include "ir/ir.h"

#include <algorithm>
#include <cassert>

namespace sysfence::ir {

const ArchTable* Ir::FindTable(Arch arch) const {
  for (const ArchTable& table : tables) {
    if (table.arch == arch) return &table;
  }
  return nullptr;
}

NodeId Ir::Lookup(const ArchTable& table, uint32_t nr) {
  assert(!table.ranges.empty() && table.ranges.front().first == 0);
  // The last range whose first number is <= nr.
  auto it = std::upper_bound(table.ranges.begin(), table.ranges.end(), nr,
                             [](uint32_t value, const Range& range) { return value < range.first; });
  assert(it != table.ranges.begin());
  return std::prev(it)->node;
}

}  // namespace sysfence::ir
