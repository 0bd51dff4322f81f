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

/// A handle to an instruction of an InstructionDag (its creation index).
using InsnRef = uint32_t;

/// Builds a program bottom-up; see the file comment.
class InstructionDag {
 public:
  /// `ret k`.
  InsnRef Ret(uint32_t value);
  /// A conditional jump `jump_op` (bpf::op::kJeq, kJgt, kJge or kJset) against constant `k`:
  /// continues at `if_true` or `if_false`. Returns `if_true` when both are the same.
  InsnRef Jump(uint16_t jump_op, uint32_t k, InsnRef if_true, InsnRef if_false);
  /// `ld [offset]` (a 32-bit word of seccomp_data), then `next`.
  InsnRef LoadWord(uint32_t offset, InsnRef next);
  /// `and #mask`, then `next`.
  InsnRef And(uint32_t mask, InsnRef next);

  /// Instructions created so far.
  size_t size() const { return insns_.size(); }

  /// The program starting at `entry`. Fails (kLimit) past bpf::kMaxInstructions, with the count.
  Result<bpf::Program> Finish(InsnRef entry);

 private:
  struct Insn {
    uint16_t code = 0;
    uint32_t k = 0;
    InsnRef first = 0;   // jt, a JA's target, or a straight-line instruction's successor
    InsnRef second = 0;  // jf
    bool operator==(const Insn&) const = default;
  };
  struct InsnHash {
    size_t operator()(const Insn& insn) const;
  };

  InsnRef Append(const Insn& insn);
  bool InReach(InsnRef target) const;
  InsnRef NearCopy(InsnRef target);
  InsnRef CreateJump(uint16_t code, uint32_t k, InsnRef if_true, InsnRef if_false);
  InsnRef Adjacent(InsnRef next);
  InsnRef StraightLine(uint16_t code, uint32_t k, InsnRef next);

  std::vector<Insn> insns_;
  std::unordered_map<Insn, InsnRef, InsnHash> memo_;
};

}  // namespace sysfence::codegen
