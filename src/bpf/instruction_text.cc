// SPDX-License-Identifier: Apache-2.0
#include "bpf/instruction_text.h"

#include <cstdio>

#include "bpf/opcodes.h"
#include "core/action.h"

namespace sysfence::bpf {
namespace {

std::string Number(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), value < 0x1000 ? "%u" : "0x%x", value);
  return buffer;
}

std::string Hex(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "0x%x", value);
  return buffer;
}

// True when every field the opcode ignores is zero and jump targets are inside the program, so the
// mnemonic form re-assembles to exactly this instruction.
bool HasCanonicalForm(const Program& program, size_t index) {
  const Instruction& insn = program[index];
  if (!IsSeccompOpcode(insn.code)) return false;
  const size_t remaining = program.size() - index - 1;  // instructions after this one
  if (IsConditionalJump(insn.code)) {
    if (UsesX(insn.code) && insn.k != 0) return false;
    return insn.jt < remaining && insn.jf < remaining;
  }
  if (insn.jt != 0 || insn.jf != 0) return false;
  switch (insn.code) {
    case opcode::kJa: return insn.k < remaining;
    case opcode::kLdLen:
    case opcode::kLdxLen:
    case opcode::kTax:
    case opcode::kTxa:
    case opcode::kNeg:
    case opcode::kRetA: return insn.k == 0;
    default:
      if (op::Class(insn.code) == op::kAlu && UsesX(insn.code)) return insn.k == 0;
      return true;
  }
}

std::string RetText(uint32_t k) {
  const Action action = Action::FromSeccompRet(k);
  if (action.ToSeccompRet() == k) return "ret " + action.ToString();
  return "ret #" + Hex(k);
}

}  // namespace

std::string HexNumber(uint32_t value) { return Hex(value); }

std::string SeccompFieldName(uint32_t field_offset) {
  if (field_offset == offset::kNr) return "nr";
  if (field_offset == offset::kArch) return "arch";
  if (field_offset == offset::kInstructionPointerLo) return "instruction_pointer.lo";
  if (field_offset == offset::kInstructionPointerHi) return "instruction_pointer.hi";
  if (field_offset >= 16 && field_offset < 64 && field_offset % 4 == 0) {
    const uint32_t index = (field_offset - 16) / 8;
    return "args[" + std::to_string(index) + "]" + ((field_offset % 8 == 0) ? ".lo" : ".hi");
  }
  return {};
}

std::string InstructionText(const Program& program, size_t index) {
  const Instruction& insn = program[index];
  if (!HasCanonicalForm(program, index)) {
    return ".insn " + Hex(insn.code) + ", " + std::to_string(insn.jt) + ", " + std::to_string(insn.jf) + ", " +
           Hex(insn.k);
  }
  const std::string k = "#" + Number(insn.k);
  const std::string mem = "M[" + std::to_string(insn.k) + "]";
  switch (insn.code) {
    case opcode::kLdImm: return "ld " + k;
    case opcode::kLdAbs: {
      const std::string field = SeccompFieldName(insn.k);
      return "ld [" + (field.empty() ? Number(insn.k) : field) + "]";
    }
    case opcode::kLdLen: return "ld len";
    case opcode::kLdMem: return "ld " + mem;
    case opcode::kLdxImm: return "ldx " + k;
    case opcode::kLdxLen: return "ldx len";
    case opcode::kLdxMem: return "ldx " + mem;
    case opcode::kSt: return "st " + mem;
    case opcode::kStx: return "stx " + mem;
    case opcode::kTax: return "tax";
    case opcode::kTxa: return "txa";
    case opcode::kNeg: return "neg";
    case opcode::kJa: return "ja " + std::to_string(index + 1 + insn.k);
    case opcode::kRetK: return RetText(insn.k);
    case opcode::kRetA: return "ret a";
    default: break;
  }
  const std::string operand = UsesX(insn.code) ? "x" : k;
  if (IsConditionalJump(insn.code)) {
    return std::string(JumpMnemonic(JumpOp(insn.code))) + " " + operand + ", " + std::to_string(index + 1 + insn.jt) +
           ", " + std::to_string(index + 1 + insn.jf);
  }
  return std::string(AluMnemonic(AluOp(insn.code))) + " " + operand;
}

}  // namespace sysfence::bpf
