// SPDX-License-Identifier: Apache-2.0
// From regions to policy conditions: what a region knows about the argument words of one syscall,
// written as `.sfp` comparisons, and the per-syscall canonical input space a policy speaks about
// (an N-bit argument is its low N bits; the bits above are zero).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"
#include "inspect/region.h"
#include "policy/policy.h"

namespace sysfence::inspect {

/// Every input of ABI `arch`: its arch token and, on x86_64's token, the x32 bit of nr clear (x86_64)
/// or set (x32).
Region AbiRegion(Arch arch);

/// The inputs a policy distinguishes for `syscall` (number `nr`) on `arch`: arch token and nr
/// fixed, every argument's bits above its width (syscalls::ArgWidthBits) zero.
Region CanonicalRegion(Arch arch, uint32_t nr, std::string_view syscall);

/// A region's argument constraints as a policy condition.
struct ArgumentCondition {
  /// The conjunction; nullopt when the region constrains no argument.
  std::optional<policy::Condition> condition;
  /// What the region tests that a policy cannot ("tests the instruction pointer", "tests the
  /// upper half of 32-bit argument 1", ...); those parts are left out of `condition`.
  std::vector<std::string> unexpressed;
};

/// Writes what `region` (inside CanonicalRegion(arch, nr, syscall)) knows about the arguments.
ArgumentCondition ConditionOf(const Region& region, Arch arch, uint32_t nr, std::string_view syscall);

/// True when `region` holds no input that is canonical for its syscall on `arch` (its arch word must
/// be `arch`'s token and its nr word a range of numbers of `arch`); such a region differs from
/// another only in argument bits the kernel ignores. False when unsure.
bool OnlyIgnoredBits(const Region& region, Arch arch);

/// True when the nr word of `region` admits only numbers inside `arch`'s table that name no
/// syscall (a policy decides all of them with its default; numbers past the table have their own
/// `unknown` line, so a region reaching them is not excused).
bool OnlyUnnamedNumbers(const Region& region, Arch arch);

}  // namespace sysfence::inspect
