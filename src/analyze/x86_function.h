// SPDX-License-Identifier: Apache-2.0
// Analysis of one x86_64 function: basic blocks, constant propagation of the general-purpose
// registers over its control-flow graph, and the facts the call graph needs (syscall sites with
// their numbers, calls with their argument values, addresses taken).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "analyze/module_graph.h"
#include "analyze/x86_decode.h"

namespace sysfence::analyze {

/// Where a pointer-sized slot (a GOT entry) or a PLT stub leads: an import, a function of the
/// module, or nowhere known.
struct SlotTarget {
  int32_t import = -1;
  uint64_t target = 0;
  bool found() const { return import >= 0 || target != 0; }
};

/// What the function analysis asks of its module.
struct X86Context {
  std::function<SlotTarget(uint64_t slot)> slot;  ///< a relocated slot's target
  std::function<SlotTarget(uint64_t stub)> stub;  ///< a PLT stub's target (nothing when not a stub)
  std::function<bool(uint64_t address)> is_code;
  bool absolute_addresses = false;  ///< ET_EXEC: immediates may be code addresses
};

/// Analyses the function [start, end) made of `instructions` (decoded linearly, in order).
Function AnalyzeX86Function(const std::vector<X86Instruction>& instructions, uint64_t start, uint64_t end,
                            const X86Context& context);

/// The register state after `insn`, from the state before it (exposed for tests).
void TransferX86(const X86Instruction& insn, RegisterState* state);

}  // namespace sysfence::analyze
