// SPDX-License-Identifier: Apache-2.0
// Internal: the generated tables (syscall_table_gen.cc) as the lookup code in syscalls.cc sees them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/arch.h"
#include "syscalls/syscalls.h"

namespace sysfence::syscalls::internal {

/// One ABI's table: entries sorted by number, and indexes into them sorted by name.
struct SyscallTableOfArch {
  std::span<const SyscallEntry> by_number;
  std::span<const uint16_t> by_name;
};

/// Where one syscall's arguments sit in SignatureArgs().
struct SignatureIndex {
  std::string_view name;
  uint16_t first;
  uint8_t count;
};

/// The table of `arch`.
SyscallTableOfArch TableOf(Arch arch);

/// Every syscall name on any ABI, sorted.
std::span<const std::string_view> SortedNames();

/// Signatures sorted by syscall name.
std::span<const SignatureIndex> Signatures();

/// The arguments of every signature, back to back.
std::span<const ArgInfo> SignatureArgs();

}  // namespace sysfence::syscalls::internal
