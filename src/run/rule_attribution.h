// SPDX-License-Identifier: Apache-2.0
// Naming the policy line behind an outcome: from a full decision (a notification carries the
// arguments), or from what a kernel audit record tells (ABI, syscall and action, no arguments).
#pragma once

#include <string>
#include <string_view>

#include "core/action.h"
#include "core/arch.h"
#include "policy/evaluate.h"
#include "policy/policy.h"

namespace sysfence::run {

/// "file:line" of the rule that decided, "default" or "badarch" (an OCI rule: "file: JSON path").
std::string RuleLocation(const policy::Policy& policy, const policy::Decision& decision);

/// What a denial the kernel logged is attributed to.
struct DenialAttribution {
  Action action;     ///< the policy's action (the errno as written, which the audit record omits)
  std::string rule;  ///< as RuleLocation; several candidates as "one of FILE:L1, FILE:L2"
  policy::DecidedBy by = policy::DecidedBy::kDefault;
  /// A designed fallback, not a violation: every candidate (rule or default) is `errno ENOSYS` as
  /// written (not `notify`, which a run also answers with ENOSYS), and the syscall is one whose
  /// callers fall back on ENOSYS (IsEnosysFallbackSyscall).
  bool enosys_fallback = false;
};

/// Attributes a filter return of kind `returned` (as the enforce-mode filter of `policy` returns
/// it: `notify` rules return errno ENOSYS) for syscall `name` of `arch`. The candidates are the
/// rules naming the syscall on that ABI, in order, up to the first unconditional one, whose action
/// returns `returned`, then the default: one candidate is exact; several (conditional rules whose
/// arguments the record does not carry) are all named. `arch_listed` false means badarch.
/// `enosys_fallback` tells the designed ENOSYS answers apart.
DenialAttribution AttributeDenial(const policy::Policy& policy, bool arch_listed, Arch arch, std::string_view name,
                                  ActionKind returned);

/// Whether the callers of syscall `name` take ENOSYS as "not on this kernel" and carry on: a newer
/// fallback twin (clone3, whose C library then calls clone; statx, faccessat2, openat2, ...) or a
/// syscall they do without (rseq), as syscalls/facts.h lists them. Policies answer these ENOSYS on
/// purpose (`sysfence record` writes such rules; clone3 must answer ENOSYS wherever clone is
/// restricted by its flags), and what then decides is the older call.
bool IsEnosysFallbackSyscall(std::string_view name);

}  // namespace sysfence::run
