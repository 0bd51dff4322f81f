// SPDX-License-Identifier: Apache-2.0
// The semantic diff: what two filter stacks decide differently, grouped by ABI and syscall, with the
// argument region written as a policy condition. Built on the equivalence checker.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "core/result.h"
#include "inspect/explorer.h"

namespace sysfence::inspect {

/// One difference: on `syscall` of `arch`, for arguments satisfying `condition`, the left stack
/// decides `left` and the right one `right`.
struct DiffEntry {
  std::optional<Arch> arch;  ///< nullopt: arch values of no ABI both stacks know
  std::string syscall;       ///< a name, or "numbers 0x1c8-0x3ff" for numbers without a name
  uint32_t nr = 0;           ///< the first number of the entry
  std::string condition;     ///< policy text ("family == 40"); empty: every argument value
  /// The difference lies only in argument bits above the argument's width (the kernel ignores them).
  bool only_ignored_bits = false;
  Action left, right;
  size_t left_filter = 0, right_filter = 0;  ///< deciding filters
  bpf::SeccompData witness;                  ///< an input where they differ
};

/// The whole diff.
struct SemanticDiff {
  std::vector<DiffEntry> entries;  ///< sorted by ABI, then number
  size_t regions = 0;              ///< class combinations compared
  bool Same() const { return entries.empty(); }
};

/// Compares `left` and `right` on every input.
Result<SemanticDiff> DiffStacks(const FilterStack& left, const FilterStack& right);

/// Text for people: per ABI and syscall, "- LEFT-RULE" and "+ RIGHT-RULE" lines as policy text.
std::string RenderDiff(const SemanticDiff& diff, const std::string& left_name, const std::string& right_name);

/// JSON for scripts: {"same": bool, "regions": N, "differences": [{arch, syscall, nr, condition,
/// left, right, left_filter, right_filter, only_ignored_bits, witness}]}.
std::string DiffJson(const SemanticDiff& diff);

}  // namespace sysfence::inspect
