// SPDX-License-Identifier: Apache-2.0
// Internal: the generated constants table (constants_gen.cc).
#pragma once

#include <span>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls::internal {

/// Every constant, sorted by name.
std::span<const Constant> SortedConstants();

}  // namespace sysfence::syscalls::internal
