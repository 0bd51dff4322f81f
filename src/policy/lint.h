// SPDX-License-Identifier: Apache-2.0
// Lints: warnings about valid policies that probably do not do what their author meant, or that
// leave a known hole open. `sysfence check` prints them; ParsePolicy does not run them.
#pragma once

#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// Adds a warning to `diagnostics` for each of:
///  - a rule that can never decide (every syscall it names is decided unconditionally before it),
///    or a named syscall that an earlier rule already decides unconditionally;
///  - a rule equal to an earlier one;
///  - a rule that has the default's effect (same action, and no later rule names its syscalls);
///  - a syscall named twice in one rule, or one that exists on none of the rule's ABIs;
///  - io_uring_setup/enter/register allowed while a syscall io_uring can stand in for is denied;
///  - ptrace or process_vm_writev allowed;
///  - a restricted syscall that a twin or multiplexer does unrestricted (LintBypasses);
///  - kill-thread used anywhere (prefer kill);
///  - a masked comparison that can never hold (the value has bits outside the mask);
///  - an fs rule granting write-file without truncate.
/// `policy` should have passed CheckPolicy (or come from ParsePolicy).
void LintPolicy(const Policy& policy, Diagnostics& diagnostics);

}  // namespace sysfence::policy
