// SPDX-License-Identifier: Apache-2.0
// The filter linter: what is wrong with a filter stack, found by exploring what it decides (not by
// matching instruction patterns), each finding with a severity, where (filter and instruction), a
// representative input, and a fix.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "core/result.h"
#include "inspect/explorer.h"

namespace sysfence::inspect {

/// How bad a finding is. Errors: the filter does not confine (allows everything, no arch check).
enum class Severity : uint8_t { kError, kWarning, kNote };

/// "error", "warning", "note".
std::string_view SeverityName(Severity severity);

/// One finding.
struct Finding {
  std::string check;     ///< stable id: "no-arch-check", "x32-under-x86_64", "unreachable", ...
  Severity severity = Severity::kWarning;
  std::string message;   ///< what is wrong, with the syscall and ABI when there is one
  std::string fix;       ///< how to fix it
  size_t filter = 0;     ///< index of the filter (0: first installed)
  std::optional<uint32_t> instruction;  ///< offset in that filter
  std::optional<Arch> arch;
  std::string syscall;   ///< empty when the finding is about the whole filter
  std::optional<bpf::SeccompData> witness;  ///< an input that shows it
};

/// Options for LintStack.
struct LintOptions {
  /// The kernel the filter runs on, for the action-cache analysis (its native and compat ABIs).
  Arch kernel_arch = Arch::kX86_64;
  /// Whether a tracer is known to be attached (for `trace`); nullopt: unknown.
  std::optional<bool> tracer_attached;
};

/// Every check: no arch check, or a syscall number used before it; x32 numbers reaching a
/// permitting return under the x86_64 token; unreachable instructions; a stack that allows every
/// call, or whose default (numbers it does not name) allows; errno 0; 64-bit arguments compared on
/// one half and 32-bit ones on both (the upper-half hole); dangerous syscalls allowed (ptrace, bpf,
/// io_uring_*, kexec_*, userfaultfd, perf_event_open, process_vm_writev, add_key/keyctl,
/// unshare/setns/clone creating user namespaces, clone3); allows the kernel cannot cache; `trace`
/// (ENOSYS without a tracer). Findings are sorted by severity, then filter and instruction.
Result<std::vector<Finding>> LintStack(const FilterStack& stack, const LintOptions& options = {});

/// Findings as JSON: {"findings": [{check, severity, message, fix, filter, instruction, arch,
/// syscall, line, column, witness}], "errors": N, "warnings": N, "notes": N}. `locations` (same
/// length as `findings`, or empty) gives a policy file's line and column per finding (0: none).
std::string FindingsJson(const std::vector<Finding>& findings, const std::vector<std::pair<int, int>>& locations);

/// Findings as SARIF 2.1.0 for code scanning: one run of tool "sysfence", a rule per check, a
/// result per finding located in `artifact` (a region with startLine, or the instruction as a
/// logical location when there is no line).
std::string FindingsSarif(const std::vector<Finding>& findings, const std::vector<std::pair<int, int>>& locations,
                          const std::string& artifact);

}  // namespace sysfence::inspect
