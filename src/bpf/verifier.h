// SPDX-License-Identifier: Apache-2.0
// The verifier: accepts exactly the programs the kernel's seccomp loader accepts
// (bpf_check_basics_ok + bpf_check_classic + check_load_and_stores + seccomp_check_filter).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::bpf {

/// Why the verifier rejected a program.
struct VerifyFailure {
  /// Offset (index) of the offending instruction; nullopt for whole-program problems (length).
  std::optional<size_t> offset;
  /// What is wrong, without the offset ("opcode 0x28 (ld h [k]) is not accepted by seccomp").
  std::string reason;

  /// "instruction 12: REASON" or just REASON.
  std::string ToString() const;
};

/// The kernel's rules, checked in an order that reports the earliest offending instruction:
/// length 1..4096; only seccomp opcodes; `ld [k]` 32-bit aligned inside seccomp_data (k < 64);
/// `M[k]` with k < 16; shifts by constant < 32; no constant division by zero; `ja` and both
/// branches of conditional jumps inside the program; the last instruction a `ret`; every `M[k]`
/// written before it is read on every path (with the kernel's exact conservative dataflow).
std::optional<VerifyFailure> FindVerifyFailure(const Program& program);

/// FindVerifyFailure as a Result: kInvalidInput (kLimit for length) with the failure's text.
Result<void> Verify(const Program& program);

/// The instruction-local checks only (opcode, k ranges, jump targets): what a raw file loader
/// must reject before anything else looks at the program. Ignores length and the dataflow rules.
std::optional<VerifyFailure> FindInstructionFailure(const Program& program, size_t index);

}  // namespace sysfence::bpf
