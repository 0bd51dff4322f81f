// SPDX-License-Identifier: Apache-2.0
#include "bpf/evaluator.h"

#include <cstring>
#include <string>

#include "bpf/opcodes.h"

namespace sysfence::bpf {
namespace {

Error RunError(size_t pc, const std::string& what) {
  return MakeError(ErrorCode::kInvalidInput, "instruction " + std::to_string(pc) + ": " + what);
}

uint32_t LoadWord(const SeccompData& data, uint32_t offset) {
  uint32_t word;
  std::memcpy(&word, reinterpret_cast<const unsigned char*>(&data) + offset, sizeof(word));
  return word;
}

// What an ALU instruction did.
enum class AluStep { kNotAlu, kDone, kDivideByXZero, kError };

// Runs `insn` when it is an ALU instruction (operand: X or k), updating `a`; errors in `error`.
AluStep RunAlu(const Instruction& insn, uint32_t operand, uint32_t& a, std::string& error) {
  switch (insn.code) {
    case opcode::kNeg: a = 0u - a; return AluStep::kDone;
    case op::kAlu | op::kAdd:
    case op::kAlu | op::kAdd | op::kX: a += operand; return AluStep::kDone;
    case op::kAlu | op::kSub:
    case op::kAlu | op::kSub | op::kX: a -= operand; return AluStep::kDone;
    case op::kAlu | op::kMul:
    case op::kAlu | op::kMul | op::kX: a *= operand; return AluStep::kDone;
    case op::kAlu | op::kDiv:
    case op::kAlu | op::kDiv | op::kX:
      if (operand == 0) {
        if (UsesX(insn.code)) return AluStep::kDivideByXZero;
        error = "division by constant zero";
        return AluStep::kError;
      }
      a /= operand;
      return AluStep::kDone;
    case op::kAlu | op::kOr:
    case op::kAlu | op::kOr | op::kX: a |= operand; return AluStep::kDone;
    case op::kAlu | op::kAnd:
    case op::kAlu | op::kAnd | op::kX: a &= operand; return AluStep::kDone;
    case op::kAlu | op::kXor:
    case op::kAlu | op::kXor | op::kX: a ^= operand; return AluStep::kDone;
    case op::kAlu | op::kLsh:
    case op::kAlu | op::kLsh | op::kX:
    case op::kAlu | op::kRsh:
    case op::kAlu | op::kRsh | op::kX:
      if (!UsesX(insn.code) && insn.k >= 32) {
        error = "shift by 32 or more";
        return AluStep::kError;
      }
      if ((insn.code & 0xf0) == op::kLsh) {
        a <<= (operand & 31);
      } else {
        a >>= (operand & 31);
      }
      return AluStep::kDone;
    default: return AluStep::kNotAlu;
  }
}

}  // namespace

Result<EvalResult> Evaluate(const Program& program, const SeccompData& data, const EvalOptions& options) {
  EvalResult result;
  uint32_t a = 0;
  uint32_t x = 0;
  uint32_t mem[kMemWords] = {};
  uint16_t written = 0;  // cells written so far on this run
  size_t pc = 0;
  const size_t length = program.size();
  while (true) {
    if (pc >= length) return RunError(pc, "ran past the end of the program");
    const Instruction& insn = program[pc];
    ++result.executed;
    if (options.record_path) result.path.push_back(static_cast<uint32_t>(pc));
    const uint32_t operand = UsesX(insn.code) ? x : insn.k;
    switch (insn.code) {
      case opcode::kLdImm: a = insn.k; break;
      case opcode::kLdxImm: x = insn.k; break;
      case opcode::kLdLen: a = sizeof(SeccompData); break;
      case opcode::kLdxLen: x = sizeof(SeccompData); break;
      case opcode::kLdAbs:
        if (insn.k >= sizeof(SeccompData) || (insn.k & 3) != 0) {
          return RunError(pc, "load from offset " + std::to_string(insn.k) + " outside seccomp_data");
        }
        a = LoadWord(data, insn.k);
        break;
      case opcode::kLdMem:
      case opcode::kLdxMem:
        if (insn.k >= kMemWords || (written & (1u << insn.k)) == 0) {
          return RunError(pc, "reads M[" + std::to_string(insn.k) + "] before it is written");
        }
        (insn.code == opcode::kLdMem ? a : x) = mem[insn.k];
        break;
      case opcode::kSt:
      case opcode::kStx:
        if (insn.k >= kMemWords) return RunError(pc, "scratch memory index out of range");
        mem[insn.k] = insn.code == opcode::kSt ? a : x;
        written |= static_cast<uint16_t>(1u << insn.k);
        break;
      case opcode::kTax: x = a; break;
      case opcode::kTxa: a = x; break;
      case opcode::kJa:
        if (insn.k >= length - pc - 1) return RunError(pc, "jump past the end of the program");
        pc += insn.k;
        break;
      case opcode::kRetK:
      case opcode::kRetA:
        result.value = insn.code == opcode::kRetK ? insn.k : a;
        result.action = Action::FromSeccompRet(result.value);
        result.exit_offset = pc;
        return result;
      default: {
        std::string alu_error;
        const AluStep alu = RunAlu(insn, operand, a, alu_error);
        if (alu == AluStep::kDone) break;
        if (alu == AluStep::kError) return RunError(pc, alu_error);
        if (alu == AluStep::kDivideByXZero) {
          // bpf_convert_filter guards `div x`: with X == 0 the program returns 0 at once.
          result.value = 0;
          result.action = Action::FromSeccompRet(0);
          result.exit_offset = pc;
          result.divided_by_zero = true;
          return result;
        }
        if (IsConditionalJump(insn.code)) {
          bool taken = false;
          switch (JumpOp(insn.code)) {
            case op::kJeq: taken = a == operand; break;
            case op::kJgt: taken = a > operand; break;
            case op::kJge: taken = a >= operand; break;
            case op::kJset: taken = (a & operand) != 0; break;
          }
          pc += taken ? insn.jt : insn.jf;
          break;
        }
        return RunError(pc, "opcode " + std::to_string(insn.code) + " is not accepted by seccomp");
      }
    }
    ++pc;
  }
}

}  // namespace sysfence::bpf
