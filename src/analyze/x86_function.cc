// SPDX-License-Identifier: Apache-2.0
#include "analyze/x86_function.h"

#include <capstone/x86.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace sysfence::analyze {
namespace {

uint64_t MaskFor(uint8_t width) { return width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (width * 8)) - 1; }

// Registers a call may change (System V caller-saved).
constexpr Gpr kCallerSaved[] = {kRax, kRcx, kRdx, kRsi, kRdi, kR8, kR9, kR10, kR11};

bool IsRegister(const X86Operand& op) { return op.kind == X86Operand::Kind::kRegister && op.gpr >= 0; }

// A 32-bit write zero-extends; an entry register passed through keeps its identity (numbers are small).
Value Narrow(const Value& v, uint8_t width) {
  if (width >= 8 || v.unknown) return v;
  Value out;
  out.entry = v.entry;
  for (int i = 0; i < v.count; ++i) out.AddConstant(v.constants[i] & MaskFor(width));
  return out;
}

// Arithmetic with an immediate on a register holding constants.
bool ApplyImmediate(uint32_t id, const X86Instruction& insn, RegisterState* state) {
  const X86Operand& dst = insn.operands[0];
  const X86Operand& src = insn.operands[1];
  if (insn.operand_count != 2 || !IsRegister(dst) || dst.width < 4 || src.kind != X86Operand::Kind::kImmediate) {
    return false;
  }
  const auto imm = static_cast<uint64_t>(src.immediate);
  const uint64_t mask = MaskFor(dst.width);
  Value& v = (*state)[dst.gpr];
  switch (id) {
    case X86_INS_ADD: v = v.Map([&](uint64_t c) { return (c + imm) & mask; }); return true;
    case X86_INS_SUB: v = v.Map([&](uint64_t c) { return (c - imm) & mask; }); return true;
    case X86_INS_OR: v = v.Map([&](uint64_t c) { return (c | imm) & mask; }); return true;
    case X86_INS_AND: v = v.Map([&](uint64_t c) { return (c & imm) & mask; }); return true;
    default: return false;
  }
}

// Handles the moves and idioms constant propagation understands; false for everything else.
bool TransferKnown(const X86Instruction& insn, RegisterState* state) {
  const X86Operand& dst = insn.operands[0];
  const X86Operand& src = insn.operands[1];
  switch (insn.id) {
    case X86_INS_MOV:
    case X86_INS_MOVABS:
      if (insn.operand_count != 2 || !IsRegister(dst)) return false;
      if (dst.width < 4) return false;
      if (src.kind == X86Operand::Kind::kImmediate) {
        (*state)[dst.gpr] = Value::Constant(static_cast<uint64_t>(src.immediate) & MaskFor(dst.width));
        return true;
      }
      if (IsRegister(src)) {
        (*state)[dst.gpr] = Narrow((*state)[src.gpr], dst.width);
        return true;
      }
      return false;
    case X86_INS_XOR:
    case X86_INS_SUB:
      if (insn.operand_count == 2 && IsRegister(dst) && IsRegister(src) && dst.gpr == src.gpr && dst.width >= 4) {
        (*state)[dst.gpr] = Value::Constant(0);
        return true;
      }
      return ApplyImmediate(insn.id, insn, state);
    case X86_INS_ADD:
    case X86_INS_OR:
    case X86_INS_AND:
      return ApplyImmediate(insn.id, insn, state);
    case X86_INS_LEA:
      if (insn.operand_count == 2 && IsRegister(dst) && dst.width >= 4 && src.kind == X86Operand::Kind::kMemory &&
          !src.has_index && src.base >= 0) {
        const uint64_t mask = MaskFor(dst.width);
        const auto disp = static_cast<uint64_t>(src.displacement);
        (*state)[dst.gpr] = (*state)[src.base].Map([&](uint64_t c) { return (c + disp) & mask; });
        return true;
      }
      return false;
    case X86_INS_XCHG:
      if (insn.operand_count == 2 && IsRegister(dst) && IsRegister(src) && dst.width >= 4 && src.width == dst.width) {
        std::swap((*state)[dst.gpr], (*state)[src.gpr]);
        (*state)[dst.gpr] = Narrow((*state)[dst.gpr], dst.width);
        (*state)[src.gpr] = Narrow((*state)[src.gpr], src.width);
        return true;
      }
      return false;
    default:
      break;
  }
  if (insn.id >= X86_INS_CMOVA && insn.id <= X86_INS_CMOVS && insn.operand_count == 2 && IsRegister(dst) &&
      IsRegister(src) && dst.width >= 4) {
    Value joined = Narrow((*state)[dst.gpr], dst.width);
    joined.Join(Narrow((*state)[src.gpr], dst.width));
    (*state)[dst.gpr] = joined;
    return true;
  }
  return false;
}

struct Block {
  size_t first = 0;  // instruction indexes [first, last]
  size_t last = 0;
  std::vector<size_t> successors;
  size_t predecessors = 0;
};

std::vector<Block> BuildBlocks(const std::vector<X86Instruction>& insns, uint64_t start, uint64_t end) {
  std::map<uint64_t, size_t> index_of;
  for (size_t i = 0; i < insns.size(); ++i) index_of[insns[i].address] = i;
  std::vector<bool> leader(insns.size(), false);
  if (!insns.empty()) leader[0] = true;
  for (size_t i = 0; i < insns.size(); ++i) {
    const X86Instruction& insn = insns[i];
    uint64_t target = 0;
    if ((insn.flow == X86Flow::kJump || insn.flow == X86Flow::kConditionalJump) && insn.DirectTarget(&target) &&
        target >= start && target < end) {
      if (auto it = index_of.find(target); it != index_of.end()) leader[it->second] = true;
    }
    // Padding (nop) ends a block too, so padding nothing jumps to stays unreached.
    const bool padding = insn.id == X86_INS_NOP || insn.id == X86_INS_INT3;
    if (((insn.flow != X86Flow::kNone && insn.flow != X86Flow::kCall && insn.flow != X86Flow::kSyscall &&
          insn.flow != X86Flow::kInt80) ||
         padding) &&
        i + 1 < insns.size()) {
      leader[i + 1] = true;
    }
  }
  std::vector<Block> blocks;
  std::map<size_t, size_t> block_of_first;
  for (size_t i = 0; i < insns.size(); ++i) {
    if (leader[i]) {
      block_of_first[i] = blocks.size();
      blocks.push_back(Block{i, i, {}, 0});
    } else {
      blocks.back().last = i;
    }
  }
  for (Block& block : blocks) {
    const X86Instruction& insn = insns[block.last];
    const bool falls_through = insn.flow == X86Flow::kNone || insn.flow == X86Flow::kCall ||
                               insn.flow == X86Flow::kSyscall || insn.flow == X86Flow::kInt80 ||
                               insn.flow == X86Flow::kConditionalJump;
    if (falls_through && block.last + 1 < insns.size()) block.successors.push_back(block_of_first[block.last + 1]);
    uint64_t target = 0;
    if ((insn.flow == X86Flow::kJump || insn.flow == X86Flow::kConditionalJump) && insn.DirectTarget(&target)) {
      if (auto it = index_of.find(target); it != index_of.end() && target >= start && target < end) {
        block.successors.push_back(block_of_first[it->second]);
      }
    }
  }
  for (const Block& block : blocks) {
    for (size_t successor : block.successors) ++blocks[successor].predecessors;
  }
  return blocks;
}

// True when execution can go on past the last instruction of a range. A call there is taken as
// one that does not return (abort, __stack_chk_fail), and padding as the end of the code.
bool FallsThrough(const X86Instruction& insn) {
  if (insn.id == X86_INS_NOP || insn.id == X86_INS_INT3) return false;
  return insn.flow == X86Flow::kNone || insn.flow == X86Flow::kSyscall || insn.flow == X86Flow::kInt80 ||
         insn.flow == X86Flow::kConditionalJump;
}

// True when `block` is only padding (nops, int3): unreached unless something jumps to it.
bool IsPadding(const std::vector<X86Instruction>& insns, const Block& block) {
  for (size_t i = block.first; i <= block.last; ++i) {
    if (insns[i].id != X86_INS_NOP && insns[i].id != X86_INS_INT3) return false;
  }
  return true;
}

// Records what `insn` (with `state` before it) tells the call graph.
void CollectFacts(const X86Instruction& insn, const RegisterState& state, uint64_t start, uint64_t end,
                  const X86Context& context, Function* function) {
  if (insn.flow == X86Flow::kSyscall || insn.flow == X86Flow::kInt80) {
    function->syscalls.push_back(SyscallSite{insn.address, insn.flow == X86Flow::kInt80, state[kRax]});
    return;
  }
  const bool transfer = insn.flow == X86Flow::kCall || insn.flow == X86Flow::kJump || insn.flow == X86Flow::kConditionalJump;
  if (transfer) {
    CallSite call;
    call.address = insn.address;
    uint64_t target = 0;
    uint64_t slot = 0;
    if (insn.DirectTarget(&target)) {
      if (insn.flow != X86Flow::kCall && target >= start && target < end) return;  // a jump within
      const SlotTarget stub = context.stub(target);
      call.import = stub.import;
      call.target = stub.found() ? stub.target : target;
    } else if (insn.RipTarget(&slot) || (insn.operand_count == 1 && insn.operands[0].kind == X86Operand::Kind::kMemory &&
                                         insn.operands[0].base < 0 && !insn.operands[0].has_index &&
                                         !insn.operands[0].other_base &&
                                         (slot = static_cast<uint64_t>(insn.operands[0].displacement), true))) {
      const SlotTarget through = context.slot(slot);
      if (!through.found()) return;  // an indirect call: its targets are address-taken functions
      call.import = through.import;
      call.target = through.target;
    } else {
      return;
    }
    for (Gpr reg : kArgumentRegisters) {
      if (!state[reg].unknown && !state[reg].IsBottom()) call.arguments.emplace_back(static_cast<int8_t>(reg), state[reg]);
    }
    function->calls.push_back(std::move(call));
    return;
  }
  for (uint8_t i = 0; i < insn.operand_count; ++i) {
    const X86Operand& op = insn.operands[i];
    if (op.kind == X86Operand::Kind::kImmediate && context.absolute_addresses &&
        context.is_code(static_cast<uint64_t>(op.immediate))) {
      function->references.push_back(static_cast<uint64_t>(op.immediate));
    }
    if (op.kind != X86Operand::Kind::kMemory || op.has_index) continue;
    uint64_t address = 0;
    if (op.rip_relative) {
      address = insn.next() + static_cast<uint64_t>(op.displacement);
    } else if (op.base < 0 && !op.other_base) {
      address = static_cast<uint64_t>(op.displacement);
    } else {
      continue;
    }
    if (insn.id == X86_INS_LEA) {
      if (context.is_code(address)) function->references.push_back(address);
      continue;
    }
    const SlotTarget through = context.slot(address);
    if (through.import >= 0) function->import_references.push_back(through.import);
    if (through.import < 0 && through.target != 0) function->references.push_back(through.target);
  }
}

}  // namespace

void TransferX86(const X86Instruction& insn, RegisterState* state) {
  if (insn.flow == X86Flow::kCall) {
    for (Gpr reg : kCallerSaved) (*state)[reg] = Value::Unknown();
    return;
  }
  if (TransferKnown(insn, state)) return;
  for (int reg = 0; reg < kGprCount; ++reg) {
    if ((insn.written_gprs & (1u << reg)) != 0) (*state)[reg] = Value::Unknown();
  }
  if (insn.flow == X86Flow::kSyscall) {
    for (Gpr reg : {kRax, kRcx, kR11}) (*state)[reg] = Value::Unknown();
  } else if (insn.flow == X86Flow::kInt80) {
    (*state)[kRax] = Value::Unknown();
  }
}

Function AnalyzeX86Function(const std::vector<X86Instruction>& insns, uint64_t start, uint64_t end,
                            const X86Context& context) {
  Function function;
  function.start = start;
  function.end = end;
  if (insns.empty()) return function;
  const std::vector<Block> blocks = BuildBlocks(insns, start, end);
  std::vector<std::optional<RegisterState>> in(blocks.size());
  RegisterState entry;
  for (int reg = 0; reg < kGprCount; ++reg) entry[reg] = Value::Entry(reg);
  RegisterState unknown;
  unknown.fill(Value::Unknown());
  std::vector<size_t> work;
  for (size_t b = 0; b < blocks.size(); ++b) {
    // The entry block starts from the caller's registers; a block nothing jumps to directly (a
    // jump-table target, code after a call that does not return) from anything.
    if (b == 0 || (blocks[b].predecessors == 0 && !IsPadding(insns, blocks[b]))) {
      in[b] = b == 0 ? entry : unknown;
      work.push_back(b);
    }
  }
  while (!work.empty()) {
    const size_t b = work.back();
    work.pop_back();
    RegisterState state = *in[b];
    for (size_t i = blocks[b].first; i <= blocks[b].last; ++i) TransferX86(insns[i], &state);
    for (size_t successor : blocks[b].successors) {
      if (!in[successor]) {
        in[successor] = state;
        work.push_back(successor);
        continue;
      }
      bool changed = false;
      for (int reg = 0; reg < kGprCount; ++reg) changed |= (*in[successor])[reg].Join(state[reg]);
      if (changed) work.push_back(successor);
    }
  }
  for (size_t b = 0; b < blocks.size(); ++b) {
    RegisterState state = in[b] ? *in[b] : unknown;
    for (size_t i = blocks[b].first; i <= blocks[b].last; ++i) {
      CollectFacts(insns[i], state, start, end, context, &function);
      TransferX86(insns[i], &state);
    }
    if (blocks[b].last + 1 == insns.size() && FallsThrough(insns.back()) && in[b]) {
      // The range ends where execution goes on (glibc's clone3 ends its unwind entry before the
      // syscall): the code after it runs with this state, like a tail call.
      CallSite call;
      call.address = insns.back().address;
      call.target = insns.back().next();
      for (Gpr reg : kArgumentRegisters) {
        if (!state[reg].unknown && !state[reg].IsBottom()) call.arguments.emplace_back(static_cast<int8_t>(reg), state[reg]);
      }
      function.calls.push_back(std::move(call));
    }
  }
  std::sort(function.references.begin(), function.references.end());
  function.references.erase(std::unique(function.references.begin(), function.references.end()),
                            function.references.end());
  std::sort(function.import_references.begin(), function.import_references.end());
  function.import_references.erase(
      std::unique(function.import_references.begin(), function.import_references.end()),
      function.import_references.end());
  return function;
}

}  // namespace sysfence::analyze
