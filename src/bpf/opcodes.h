// SPDX-License-Identifier: Apache-2.0
// Classifying and building instructions: which opcodes seccomp accepts, and shorthands for writing
// instructions by hand (the BPF_STMT / BPF_JUMP of <linux/filter.h>).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "bpf/program.h"

namespace sysfence::bpf {

/// Opcode numbers of every instruction seccomp accepts, spelled out.
namespace opcode {
inline constexpr uint16_t kLdImm = op::kLd | op::kImm;                  ///< A = k
inline constexpr uint16_t kLdAbs = op::kLd | op::kW | op::kAbs;         ///< A = seccomp_data[k]
inline constexpr uint16_t kLdLen = op::kLd | op::kW | op::kLen;         ///< A = 64
inline constexpr uint16_t kLdMem = op::kLd | op::kMem;                  ///< A = M[k]
inline constexpr uint16_t kLdxImm = op::kLdx | op::kImm;                ///< X = k
inline constexpr uint16_t kLdxLen = op::kLdx | op::kW | op::kLen;       ///< X = 64
inline constexpr uint16_t kLdxMem = op::kLdx | op::kMem;                ///< X = M[k]
inline constexpr uint16_t kSt = op::kSt;                                ///< M[k] = A
inline constexpr uint16_t kStx = op::kStx;                              ///< M[k] = X
inline constexpr uint16_t kNeg = op::kAlu | op::kNeg;                   ///< A = -A
inline constexpr uint16_t kTax = op::kMisc | op::kTax;                  ///< X = A
inline constexpr uint16_t kTxa = op::kMisc | op::kTxa;                  ///< A = X
inline constexpr uint16_t kJa = op::kJmp | op::kJa;                     ///< pc += k
inline constexpr uint16_t kRetK = op::kRet | op::kK;                    ///< return k
inline constexpr uint16_t kRetA = op::kRet | op::kA;                    ///< return A
}  // namespace opcode

/// True when seccomp's loader accepts `code` (the intersection of the kernel's classic-BPF opcode
/// table and seccomp_check_filter's list). Notably BPF_MOD, byte/half-word loads, indirect loads
/// and `ldx msh` are classic BPF but not seccomp.
bool IsSeccompOpcode(uint16_t code);

/// Every opcode seccomp accepts, in increasing order (41 of them).
std::span<const uint16_t> SeccompOpcodes();

/// True for the conditional jumps (jeq, jgt, jge, jset with k or x).
constexpr bool IsConditionalJump(uint16_t code) {
  const uint16_t jump_op = code & 0xf0;
  return (code & 0xff07) == op::kJmp && jump_op >= op::kJeq && jump_op <= op::kJset;
}

/// True for ret k and ret a.
constexpr bool IsReturn(uint16_t code) { return code == opcode::kRetK || code == opcode::kRetA; }

/// The ALU operation part of an ALU opcode (op::kAdd ...).
constexpr uint16_t AluOp(uint16_t code) { return code & 0xf0; }
/// The jump operation part of a jump opcode (op::kJeq ...).
constexpr uint16_t JumpOp(uint16_t code) { return code & 0xf0; }
/// True when the ALU/jump opcode takes its operand from X rather than k.
constexpr bool UsesX(uint16_t code) { return (code & op::kX) != 0; }

/// A non-jump instruction (BPF_STMT).
constexpr Instruction Stmt(uint16_t code, uint32_t k = 0) { return Instruction{code, 0, 0, k}; }
/// A conditional jump with relative offsets (BPF_JUMP).
constexpr Instruction Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return Instruction{code, jt, jf, k};
}

/// Mnemonic of an ALU operation ("add", "sub", ... "xor"), or empty when `alu_op` is none.
std::string_view AluMnemonic(uint16_t alu_op);
/// Mnemonic of a conditional jump operation ("jeq", "jgt", "jge", "jset"), or empty.
std::string_view JumpMnemonic(uint16_t jump_op);

}  // namespace sysfence::bpf
