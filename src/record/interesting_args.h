// SPDX-License-Identifier: Apache-2.0
// Which scalar arguments a recording collects values of, how they are named, and which of them
// generation turns into conditions. Only arguments whose values are meaningful constants qualify:
// never file descriptors, sizes, addresses or pointers.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sysfence::record {

/// One argument worth recording.
struct InterestingArg {
  int index;                  ///< 0..5
  std::string_view family;    ///< constant family for naming values ("AF", "ioctl", ...); "" = none
  bool flags;                 ///< the value is a bit set: name it bit by bit
  bool condition;             ///< generation may restrict the syscall to the values seen
};

/// The arguments of syscall `name` worth recording (empty for most syscalls).
std::span<const InterestingArg> InterestingArgsOf(std::string_view name);

/// A bit mask of the argument indices InterestingArgsOf(name) lists.
uint8_t InterestingArgMask(std::string_view name);

/// Names `value` with the constants of `family` ("AF_INET", "PROT_READ|PROT_WRITE", "0x5401"),
/// falling back to hex when no constant fits.
std::string DescribeValue(std::string_view family, bool flags, uint64_t value);

}  // namespace sysfence::record
