// SPDX-License-Identifier: Apache-2.0
#include "bpf/verifier.h"

#include <cstdio>
#include <vector>

#include "bpf/opcodes.h"

namespace sysfence::bpf {
namespace {

std::string Hex(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "0x%x", value);
  return buffer;
}

std::string ClassicName(uint16_t code) {
  // Names for classic-BPF opcodes that seccomp refuses, to make the message useful.
  switch (code) {
    case op::kLd | op::kH | op::kAbs: return " (ld h [k]: only 32-bit loads)";
    case op::kLd | op::kB | op::kAbs: return " (ld b [k]: only 32-bit loads)";
    case op::kLd | op::kW | op::kInd:
    case op::kLd | op::kH | op::kInd:
    case op::kLd | op::kB | op::kInd: return " (indirect load [x + k])";
    case op::kLdx | op::kB | op::kMsh: return " (ldx msh)";
    case op::kAlu | op::kMod:
    case op::kAlu | op::kMod | op::kX: return " (mod)";
    default: return "";
  }
}

VerifyFailure At(size_t index, std::string reason) { return VerifyFailure{index, std::move(reason)}; }

}  // namespace

std::string VerifyFailure::ToString() const {
  if (!offset) return reason;
  return "instruction " + std::to_string(*offset) + ": " + reason;
}

std::optional<VerifyFailure> FindInstructionFailure(const Program& program, size_t index) {
  const Instruction& insn = program[index];
  const size_t length = program.size();
  if (!IsSeccompOpcode(insn.code)) {
    return At(index, "invalid opcode " + Hex(insn.code) + ClassicName(insn.code) + ", not accepted by seccomp");
  }
  switch (insn.code) {
    case opcode::kLdAbs:
      if (insn.k >= sizeof(SeccompData) || (insn.k & 3) != 0) {
        return At(index, "load from offset " + std::to_string(insn.k) +
                             ": seccomp_data loads must be 32-bit aligned and below 64");
      }
      break;
    case opcode::kLdMem:
    case opcode::kLdxMem:
    case opcode::kSt:
    case opcode::kStx:
      if (insn.k >= kMemWords) {
        return At(index, "scratch memory index " + std::to_string(insn.k) + " out of range (M[0]..M[15])");
      }
      break;
    case op::kAlu | op::kDiv:
      if (insn.k == 0) return At(index, "division by constant zero");
      break;
    case op::kAlu | op::kLsh:
    case op::kAlu | op::kRsh:
      if (insn.k >= 32) return At(index, "shift by " + std::to_string(insn.k) + " (must be below 32)");
      break;
    case opcode::kJa:
      // The kernel compares unsigned: k >= length - index - 1 is out of range.
      if (insn.k >= length - index - 1) {
        return At(index, "jump out of range: ja +" + std::to_string(insn.k) + " goes past the last instruction (" +
                             std::to_string(length - 1) + ")");
      }
      break;
    default:
      if (IsConditionalJump(insn.code)) {
        if (index + insn.jt + 1 >= length || index + insn.jf + 1 >= length) {
          const size_t far = insn.jt > insn.jf ? insn.jt : insn.jf;
          return At(index, "jump out of range: target " + std::to_string(index + far + 1) +
                               " is past the last instruction (" + std::to_string(length - 1) + ")");
        }
      }
      break;
  }
  return std::nullopt;
}

std::optional<VerifyFailure> FindVerifyFailure(const Program& program) {
  if (program.empty()) return VerifyFailure{std::nullopt, "empty program (at least 1 instruction)"};
  if (program.size() > kMaxInstructions) {
    return VerifyFailure{std::nullopt, "program has " + std::to_string(program.size()) +
                                           " instructions; the kernel accepts at most 4096"};
  }
  for (size_t index = 0; index < program.size(); ++index) {
    if (auto failure = FindInstructionFailure(program, index)) return failure;
  }
  if (!IsReturn(program.back().code)) {
    return At(program.size() - 1, "the last instruction must be a ret");
  }
  // check_load_and_stores, step by step: `valid` is the set of cells written on every path so far.
  // A jump narrows its targets' masks and then resets `valid` to all; a ret does not reset it, so
  // code right after a ret inherits the state before the ret (the kernel's quirk, kept on purpose).
  std::vector<uint16_t> masks(program.size(), 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Instruction& insn = program[pc];
    valid &= masks[pc];
    if (insn.code == opcode::kSt || insn.code == opcode::kStx) {
      valid |= static_cast<uint16_t>(1u << insn.k);
    } else if (insn.code == opcode::kLdMem || insn.code == opcode::kLdxMem) {
      if ((valid & (1u << insn.k)) == 0) {
        return At(pc, "reads M[" + std::to_string(insn.k) + "] before it is written on every path");
      }
    } else if (insn.code == opcode::kJa) {
      masks[pc + 1 + insn.k] &= valid;
      valid = 0xffff;
    } else if (IsConditionalJump(insn.code)) {
      masks[pc + 1 + insn.jt] &= valid;
      masks[pc + 1 + insn.jf] &= valid;
      valid = 0xffff;
    }
  }
  return std::nullopt;
}

Result<void> Verify(const Program& program) {
  auto failure = FindVerifyFailure(program);
  if (!failure) return Ok();
  const bool too_long = !failure->offset && program.size() > kMaxInstructions;
  return MakeError(too_long ? ErrorCode::kLimit : ErrorCode::kInvalidInput, failure->ToString());
}

}  // namespace sysfence::bpf
