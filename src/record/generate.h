// SPDX-License-Identifier: Apache-2.0
// Policy generation: Profile -> a deny-by-default policy::Policy that lets exactly the recorded work
// through, grouped and commented with the evidence. Deterministic: the same profile always gives
// the same policy (print it with policy::PrintPolicy).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/action.h"
#include "policy/policy.h"
#include "profile/profile.h"

namespace sysfence::record {

/// Options for GeneratePolicy.
struct GenerateOptions {
  /// What unrecorded syscalls get. EPERM by default: the program sees an ordinary error it can
  /// report, and `sysfence run` reports the event; `kill` is available for the strict-minded.
  Action default_action = Action::Errno(1);
  /// Emit `fs` (Landlock) rules from the executables and paths the recording saw.
  bool fs_rules = false;
  /// An argument gets an `in {…}` condition only when at most this many distinct values were seen.
  size_t max_condition_values = 8;
};

/// Generates the policy for `profile`. Rule order: what every program needs, then the recorded
/// syscalls grouped by built-in group (one rule each, comment = evidence), then ENOSYS for fallback
/// twins whose partner is allowed, then ENOSYS for syscalls newer than the recording kernel.
/// Syscall numbers the tables cannot name are left out (profile::UnnamedSyscalls lists them).
policy::Policy GeneratePolicy(const profile::Profile& profile, const GenerateOptions& options = {});

/// The generated policy as text: a header naming the recording (command, backend, kernel; nothing
/// that changes between identical runs), then policy::PrintPolicy's canonical form, then the
/// commented caps/unshare/rlimit suggestions (record/privilege_suggestions.h).
std::string RenderGeneratedPolicy(const profile::Profile& profile, const policy::Policy& policy);

/// The built-in group a generated rule for `name` is filed under ("@file-system"), or "other".
std::string GroupFor(std::string_view name);

}  // namespace sysfence::record
