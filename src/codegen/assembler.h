// SPDX-License-Identifier: Apache-2.0
// A hash-consed instruction DAG that linearizes into a cBPF program with forward jumps only.
//
// Instructions are created successors first; the program is the creation order reversed, so every
// jump points forward. Identical instructions with identical successors are created once (shared
// tails). A conditional jump whose target is more than 255 instructions away gets a nearby copy of
// the target when it is a RET (free at run time), else a JA to it (one more instruction executed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::codegen {

/// A handle to an instruction of an Assembler (its creation index).
using Label = uint32_t;

/// Builds a program bottom-up; see the file comment.
class Assembler {
 public:
  /// `ret k`.
  Label Ret(uint32_t value);
  /// A conditional jump `jump_op` (bpf::op::kJeq, kJgt, kJge or kJset) against constant `k`:
  /// continues at `if_true` or `if_false`. Returns `if_true` when both are the same.
  Label Jump(uint16_t jump_op, uint32_t k, Label if_true, Label if_false);
  /// `ld [offset]` (a 32-bit word of seccomp_data), then `next`.
  Label LoadWord(uint32_t offset, Label next);
  /// `and #mask`, then `next`.
  Label And(uint32_t mask, Label next);

  /// Instructions created so far.
  size_t size() const { return insns_.size(); }

  /// The program starting at `entry`. Fails (kLimit) past bpf::kMaxInstructions, with the count.
  Result<bpf::Program> Finish(Label entry);

 private:
  struct Insn {
    uint16_t code = 0;
    uint32_t k = 0;
    Label first = 0;   // jt, a JA's target, or a straight-line instruction's successor
    Label second = 0;  // jf
    bool operator==(const Insn&) const = default;
  };
  struct InsnHash {
    size_t operator()(const Insn& insn) const;
  };

  Label Append(const Insn& insn);
  bool InReach(Label target) const;
  Label NearCopy(Label target);
  Label CreateJump(uint16_t code, uint32_t k, Label if_true, Label if_false);
  Label Adjacent(Label next);
  Label StraightLine(uint16_t code, uint32_t k, Label next);

  std::vector<Insn> insns_;
  std::unordered_map<Insn, Label, InsnHash> memo_;
};

}  // namespace sysfence::codegen
