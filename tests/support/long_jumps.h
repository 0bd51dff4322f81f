// SPDX-License-Identifier: Apache-2.0
// Long jumps in a compiled filter: a conditional jump reaches at most 255 instructions ahead, so the
// code generator reaches code further away through a `ja` (docs/compiler.md, "Assembly"). Tests use
// this count to make sure the programs they judge really exercise that mechanism.
#pragma once

#include <cstddef>
#include <vector>

#include "bpf/opcodes.h"
#include "bpf/program.h"

namespace sysfence::testsupport {

/// The number of `ja` instructions (with a non-zero offset) that a conditional jump branches to:
/// the trampolines through which a comparison reaches code beyond its 8-bit jump range.
inline size_t LongJumpCount(const bpf::Program& program) {
  std::vector<bool> trampoline(program.size(), false);
  for (size_t pc = 0; pc < program.size(); ++pc) {
    if (!bpf::IsConditionalJump(program[pc].code)) continue;
    for (const size_t target : {pc + 1 + program[pc].jt, pc + 1 + program[pc].jf}) {
      if (target < program.size() && program[target].code == bpf::opcode::kJa && program[target].k > 0) {
        trampoline[target] = true;
      }
    }
  }
  size_t count = 0;
  for (const bool t : trampoline) count += t ? 1 : 0;
  return count;
}

}  // namespace sysfence::testsupport
