// SPDX-License-Identifier: Apache-2.0
#include "formats/seccomp_order.h"

#include <tuple>

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;

// libseccomp's sort key of a comparison node (db.c: argument, operator class, value); a larger key
// is tried first. For < and <= a smaller value is the more specific one, so it is inverted.
std::tuple<int, int, uint64_t> NodeKey(const Comparison& c) {
  switch (c.op) {
    case CompareOp::kEq:
    case CompareOp::kNe:
    case CompareOp::kMaskedEq: return {c.arg, 3, c.value};
    case CompareOp::kLt:
    case CompareOp::kLe: return {c.arg, 2, ~c.value};
    case CompareOp::kGt:
    case CompareOp::kGe: return {c.arg, 1, c.value};
  }
  return {c.arg, 0, c.value};
}

}  // namespace

int CompareLikeLibseccomp(const SeccompChain& a, const SeccompChain& b) {
  const auto& x = a.comparisons;
  const auto& y = b.comparisons;
  for (size_t k = 0;; ++k) {
    if (k == x.size() && k == y.size()) return 0;
    if (k == x.size()) return -1;  // a prefix covers the longer chain
    if (k == y.size()) return 1;
    const auto kx = NodeKey(x[k]);
    const auto ky = NodeKey(y[k]);
    if (kx > ky) return -1;
    if (kx < ky) return 1;
    if (!(x[k] == y[k])) return 0;  // distinct nodes with equal keys keep insertion order
  }
}

void SortLikeLibseccomp(std::vector<SeccompChain>& chains) {
  // Insertion as libseccomp does it on each tree level: before the first chain it outranks.
  std::vector<SeccompChain> sorted;
  for (SeccompChain& chain : chains) {
    auto it = sorted.begin();
    while (it != sorted.end() && CompareLikeLibseccomp(chain, *it) >= 0) ++it;
    sorted.insert(it, std::move(chain));
  }
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
