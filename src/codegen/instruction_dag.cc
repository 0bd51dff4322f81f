// SPDX-License-Identifier: Apache-2.0
#include "codegen/instruction_dag.h"

#include <cassert>
#include <string>

namespace sysfence::codegen {
namespace {

constexpr uint32_t kMaxJumpOffset = 255;

bool IsConditionalJump(uint16_t code) {
  return bpf::op::Class(code) == bpf::op::kJmp && (code & 0xf0) != bpf::op::kJa;
}

}  // namespace

size_t InstructionDag::InsnHash::operator()(const Insn& insn) const {
  uint64_t h = uint64_t{insn.code} << 32 | insn.k;
  h ^= (uint64_t{insn.first} << 32 | insn.second) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return static_cast<size_t>(h);
}

InsnRef InstructionDag::Append(const Insn& insn) {
  insns_.push_back(insn);
  return static_cast<InsnRef>(insns_.size() - 1);
}

// Whether an instruction created next could jump to `target` with an 8-bit offset.
bool InstructionDag::InReach(InsnRef target) const { return insns_.size() - target - 1 <= kMaxJumpOffset; }

// An instruction created now that behaves like `target`: a copy of a RET, else a JA to it.
InsnRef InstructionDag::NearCopy(InsnRef target) {
  const Insn& insn = insns_[target];
  if (bpf::op::Class(insn.code) == bpf::op::kRet) {
    const InsnRef copy = Append(insn);
    memo_[insn] = copy;  // later users find the nearer copy
    return copy;
  }
  return Append({static_cast<uint16_t>(bpf::op::kJmp | bpf::op::kJa), 0, target, 0});
}

InsnRef InstructionDag::CreateJump(uint16_t code, uint32_t k, InsnRef if_true, InsnRef if_false) {
  // Each fix puts a stand-in right here, which moves the other target one further away: re-check.
  while (!InReach(if_true) || !InReach(if_false)) {
    if (!InReach(if_true)) {
      if_true = NearCopy(if_true);
    } else {
      if_false = NearCopy(if_false);
    }
  }
  return Append({code, k, if_true, if_false});
}

InsnRef InstructionDag::Ret(uint32_t value) {
  const Insn insn{static_cast<uint16_t>(bpf::op::kRet | bpf::op::kK), value, 0, 0};
  if (auto it = memo_.find(insn); it != memo_.end()) return it->second;
  const InsnRef label = Append(insn);
  memo_.emplace(insn, label);
  return label;
}

InsnRef InstructionDag::Jump(uint16_t jump_op, uint32_t k, InsnRef if_true, InsnRef if_false) {
  assert(jump_op == bpf::op::kJeq || jump_op == bpf::op::kJgt || jump_op == bpf::op::kJge ||
         jump_op == bpf::op::kJset);
  if (if_true == if_false) return if_true;
  const Insn key{static_cast<uint16_t>(bpf::op::kJmp | jump_op | bpf::op::kK), k, if_true, if_false};
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  const InsnRef label = CreateJump(key.code, k, if_true, if_false);
  memo_.emplace(key, label);
  return label;
}

// `next`, or an equivalent instruction created now, so that a straight-line instruction created
// right after falls through to it.
InsnRef InstructionDag::Adjacent(InsnRef next) {
  if (next + 1 == insns_.size()) return next;
  const Insn insn = insns_[next];
  const uint16_t cls = bpf::op::Class(insn.code);
  if (cls == bpf::op::kRet) return NearCopy(next);
  if (IsConditionalJump(insn.code)) return CreateJump(insn.code, insn.k, insn.first, insn.second);
  if (cls == bpf::op::kJmp) return Append(insn);  // a JA: its 32-bit offset reaches anything
  // A straight-line instruction: copy it together with what it falls through to.
  const InsnRef successor = Adjacent(insn.first);
  return Append({insn.code, insn.k, successor, 0});
}

InsnRef InstructionDag::StraightLine(uint16_t code, uint32_t k, InsnRef next) {
  const Insn key{code, k, next, 0};
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  const InsnRef successor = Adjacent(next);
  const InsnRef label = Append({code, k, successor, 0});
  memo_.emplace(key, label);
  return label;
}

InsnRef InstructionDag::LoadWord(uint32_t offset, InsnRef next) {
  return StraightLine(static_cast<uint16_t>(bpf::op::kLd | bpf::op::kW | bpf::op::kAbs), offset, next);
}

InsnRef InstructionDag::And(uint32_t mask, InsnRef next) {
  return StraightLine(static_cast<uint16_t>(bpf::op::kAlu | bpf::op::kAnd | bpf::op::kK), mask, next);
}

Result<bpf::Program> InstructionDag::Finish(InsnRef entry) {
  assert(entry < insns_.size());
  if (entry + 1 != insns_.size()) entry = Append({static_cast<uint16_t>(bpf::op::kJmp | bpf::op::kJa), 0, entry, 0});
  const size_t n = insns_.size();
  if (n > bpf::kMaxInstructions) {
    return MakeError(ErrorCode::kLimit, "the filter needs " + std::to_string(n) +
                                            " instructions, more than the kernel's limit of " +
                                            std::to_string(bpf::kMaxInstructions));
  }
  bpf::Program program(n);
  for (size_t i = 0; i < n; ++i) {
    const Insn& insn = insns_[i];
    bpf::Instruction& out = program[n - 1 - i];
    out.code = insn.code;
    out.k = insn.k;
    const uint16_t cls = bpf::op::Class(insn.code);
    if (IsConditionalJump(insn.code)) {
      assert(insn.first < i && insn.second < i);
      out.jt = static_cast<uint8_t>(i - insn.first - 1);
      out.jf = static_cast<uint8_t>(i - insn.second - 1);
      assert(i - insn.first - 1 <= kMaxJumpOffset && i - insn.second - 1 <= kMaxJumpOffset);
    } else if (cls == bpf::op::kJmp) {
      assert(insn.first < i);
      out.k = static_cast<uint32_t>(i - insn.first - 1);
    } else if (cls != bpf::op::kRet) {
      assert(insn.first + 1 == i);  // falls through
    }
  }
  return program;
}

}  // namespace sysfence::codegen
