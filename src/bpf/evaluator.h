// SPDX-License-Identifier: Apache-2.0
// The evaluator: runs a program on one seccomp_data exactly as the kernel does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bpf/program.h"
#include "core/action.h"
#include "core/result.h"

namespace sysfence::bpf {

/// Options for Evaluate.
struct EvalOptions {
  bool record_path = false;  ///< fill EvalResult::path with every executed instruction's offset
};

/// What one run of a program produced.
struct EvalResult {
  uint32_t value = 0;          ///< the 32-bit value the program returned
  Action action;               ///< `value` decoded as the kernel decodes it
  size_t executed = 0;         ///< instructions executed, the final one included
  size_t exit_offset = 0;      ///< offset of the instruction that ended the run (a ret, or a div)
  bool divided_by_zero = false;  ///< ended by `div x` with X == 0: the kernel returns 0 (kill-thread)
  std::vector<uint32_t> path;  ///< executed offsets, when EvalOptions::record_path
};

/// Runs `program` on `data`. Semantics are the kernel's: A and X start at 0; 32-bit unsigned
/// arithmetic; `div x` with X == 0 ends the program returning 0; shifts by X use X & 31 (as the
/// kernel's BPF interpreter and x86-64/arm64 JITs do); `ld len` loads 64. A program the verifier
/// accepts always succeeds; for others the error names the offset where the run went wrong (bad
/// opcode, load out of bounds, jump past the end, unwritten memory, falling off the end).
Result<EvalResult> Evaluate(const Program& program, const SeccompData& data, const EvalOptions& options = {});

}  // namespace sysfence::bpf
