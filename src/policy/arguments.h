// SPDX-License-Identifier: Apache-2.0
// Resolving a condition's arguments on one ABI: a comparison names its argument by position or by
// name, and a name sits where that ABI's own signature (syscalls::ArgsOfOn) puts it.
#pragma once

#include <optional>
#include <string_view>

#include "core/arch.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// The position of argument `name` of `syscall` on `arch` (syscalls::ArgsOfOn), or nullopt when
/// that ABI's signature has no argument of that name (x86's mmap has no `prot`).
std::optional<int> NamedArgumentPosition(std::string_view name, Arch arch, std::string_view syscall);

/// The position of `compare`'s argument for `syscall` on `arch`: Comparison::arg, or the position
/// of Comparison::arg_name there (nullopt when it has none).
std::optional<int> ArgumentPositionOn(const Comparison& compare, Arch arch, std::string_view syscall);

/// Whether some comparison of `condition` names its argument (Comparison::arg_name).
bool HasNamedArguments(const Condition& condition);

/// `condition` with every named argument replaced by its position for `syscall` on `arch`; a name
/// that does not resolve there becomes kNamedArgument with the name kept (CheckPolicy rejects it).
Condition ResolveArgumentsOn(const Condition& condition, Arch arch, std::string_view syscall);

}  // namespace sysfence::policy
