// SPDX-License-Identifier: Apache-2.0
// Shared by the linter's files: the explored leaves of a stack and the helpers that locate findings.
#pragma once

#include <optional>
#include <vector>

#include "inspect/lint.h"
#include "inspect/region.h"

namespace sysfence::inspect::lint_internal {

/// One leaf of a whole-stack exploration.
struct Leaf {
  Region region;
  StackOutcome outcome;
};

/// The offset of the instruction that returned for `data` in filter `filter` (the `ret` reached).
std::optional<uint32_t> ReturnOffset(const FilterStack& stack, size_t filter, const bpf::SeccompData& data);

/// The first `ld [nr]` executed for `data` in filter `filter`.
std::optional<uint32_t> FirstNumberLoad(const FilterStack& stack, size_t filter, const bpf::SeccompData& data);

/// The per-syscall checks (upper halves, dangerous syscalls, cache, default) over the ABIs the
/// stack accepts.
Result<void> LintSyscalls(const FilterStack& stack, const LintOptions& options, std::vector<Finding>& findings);

}  // namespace sysfence::inspect::lint_internal
