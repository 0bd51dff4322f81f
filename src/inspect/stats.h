// SPDX-License-Identifier: Apache-2.0
// Figures about a compiled filter: its size, how many instructions a syscall costs, and how many
// allowed syscalls the kernel's action cache will let skip the filter.
#pragma once

#include <cstdint>

#include "bpf/program.h"
#include "core/arch.h"
#include "policy/policy.h"

namespace sysfence::inspect {

/// Figures about a compiled program (what `sysfence compile --stats` prints).
struct CompileStats {
  size_t instructions = 0;
  size_t worst_path = 0;    ///< most instructions executed for any syscall number of the first ABI
  double mean_path = 0;     ///< mean over all syscall numbers of the first ABI's table
  size_t allows = 0;        ///< syscalls (per ABI) whose outcome is an unconditional allow
  size_t cacheable_allows = 0;  ///< of those, how many the kernel's action cache will skip
};

/// Executed-instruction figures over a span of syscall numbers.
struct PathStats {
  size_t worst = 0;
  double mean = 0;
  uint32_t worst_nr = 0;  ///< a number whose path is `worst` long
};

/// Runs `program` (which must pass the verifier) for every nr in [first, last] of ABI `arch` with
/// all arguments zero and counts the instructions executed, the final `ret` included.
PathStats MeasurePaths(const bpf::Program& program, Arch arch, uint32_t first, uint32_t last);

/// The figures `sysfence compile --stats` prints for `program`, compiled from `policy`: paths over
/// every syscall number of the policy's first ABI (from its first number, with the ABI's bias,
/// to its highest), and per listed ABI the syscalls whose outcome is an unconditional allow and
/// how many of those the kernel's action-cache analysis finds constant (IsConstantAllow).
CompileStats ComputeStats(const bpf::Program& program, const policy::Policy& policy);

}  // namespace sysfence::inspect
