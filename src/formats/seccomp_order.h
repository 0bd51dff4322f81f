// SPDX-License-Identifier: Apache-2.0
// How libseccomp orders several argument rules of one syscall. libseccomp does not try rules in the
// order they were added: it merges them into a tree whose every level is sorted (higher argument
// index first; ==, != and masked == before < and <=, before > and >=; then by value, the most
// specific first), and tries the branches of that tree in order. Importers reproduce that order so a
// first-match policy decides what libseccomp's filter decides.
#pragma once

#include <vector>

#include "core/action.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// One argument rule as libseccomp receives it: ANDed comparisons (at most one per argument), an
/// action, and the profile rule it came from.
struct SeccompChain {
  std::vector<policy::Comparison> comparisons;  ///< sorted by argument index
  Action action;
  int rule_index = 0;
};

/// -1 when libseccomp tries `a` before `b`, 1 when after, 0 when their order is the order they
/// were added in.
int CompareLikeLibseccomp(const SeccompChain& a, const SeccompChain& b);

/// Reorders `chains` (given in the order they were added) into the order libseccomp tries them.
void SortLikeLibseccomp(std::vector<SeccompChain>& chains);

/// True when libseccomp refuses (EEXIST) to add `later` after `earlier` with a different action:
/// the same comparisons, or `later`'s comparisons are a prefix of `earlier`'s.
bool LibseccompRejects(const std::vector<policy::Comparison>& earlier, const std::vector<policy::Comparison>& later);

}  // namespace sysfence::formats
