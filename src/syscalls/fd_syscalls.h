// SPDX-License-Identifier: Apache-2.0
// The syscalls that give the caller a new file descriptor (generated from data/fd-syscalls.tsv by
// scripts/gen_fd_syscalls.py): what the eBPF recorder watches for the highest descriptor a
// program held.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sysfence::syscalls {

/// How a syscall hands over its new descriptor.
enum class FdGiven : uint8_t {
  kReturned,           ///< a non-negative result is the descriptor
  kReturnedIfArgIn,    ///< ... when argument `arg` equals one of `values` (fcntl's F_DUPFD)
  kReturnedIfArgHas,   ///< ... when argument `arg` has a bit of one of `values` (seccomp's NEW_LISTENER)
  kThroughPointer,     ///< on success, two descriptors are written to the int[2] at argument `arg`
};

/// A constant and its value (the same on x86_64, i386 and x32).
struct NamedValue {
  std::string_view name;
  uint64_t value;
};

/// One syscall that gives a new descriptor.
struct FdSyscall {
  std::string_view name;  ///< as the syscall tables name it (absent on some ABIs)
  FdGiven how;
  std::string_view arg;   ///< the argument's name in the signature ("" for kReturned)
  std::span<const NamedValue> values;  ///< for the kReturnedIf kinds
};

/// Every such syscall, sorted by name.
std::span<const FdSyscall> FdSyscalls();

}  // namespace sysfence::syscalls
