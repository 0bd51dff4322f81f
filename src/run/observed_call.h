// SPDX-License-Identifier: Apache-2.0
// From a reported call to a policy::ObservedCall: which of its arguments a rule keeps as a
// condition (the same arguments `sysfence record` turns into conditions: socket family, ioctl
// request, fcntl/prctl command, mmap/mprotect protection, clone flags, sockopt level, ...), and
// how their values are spelled. `run`'s suggestions, its call shapes and `sysfence merge` all go
// through here, so they agree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"
#include "policy/amend.h"
#include "run/arg_decoder.h"

namespace sysfence::run {

/// Indices of the arguments of `syscall` worth a condition (empty for most syscalls).
std::span<const int> ConditionArgsOf(std::string_view syscall);

/// The call `syscall` on `arch` with decoded arguments `args` (as an event shows them), keeping
/// the values of ConditionArgsOf. `args` empty means the arguments are unknown (audit records).
policy::ObservedCall ObservedCallFrom(Arch arch, std::string_view syscall, const std::vector<DecodedArg>& args,
                                      std::string origin);

/// What tells apart calls of `syscall` that need different rules: the values of its condition
/// arguments (masked to their width) mixed into one number; 0 when it has none.
uint64_t ConditionShapeKey(Arch arch, std::string_view syscall, const uint64_t (&args)[6]);

/// The policy line that would allow one call (policy::RuleAllowing): "allow mmap if prot ==
/// PROT_READ|PROT_EXEC". Empty when `syscall` is empty (a number with no name).
std::string SuggestLine(Arch arch, std::string_view syscall, const std::vector<DecodedArg>& args);

}  // namespace sysfence::run
