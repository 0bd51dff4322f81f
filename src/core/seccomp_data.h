// SPDX-License-Identifier: Apache-2.0
// The input of a seccomp filter: what every evaluator (reference, IR, BPF) decides on.
#pragma once

#include <cstdint>

namespace sysfence {

/// What a seccomp filter sees, laid out as the kernel's `struct seccomp_data`: the syscall number,
/// the AUDIT_ARCH_* value of the calling ABI, the instruction pointer and the six raw arguments.
struct SeccompData {
  int32_t nr = 0;
  uint32_t arch = 0;
  uint64_t instruction_pointer = 0;
  uint64_t args[6] = {0, 0, 0, 0, 0, 0};
};
static_assert(sizeof(SeccompData) == 64);

}  // namespace sysfence
