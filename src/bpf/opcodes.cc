// SPDX-License-Identifier: Apache-2.0
#include "bpf/opcodes.h"

#include <algorithm>
#include <array>

namespace sysfence::bpf {
namespace {

// seccomp_check_filter's explicit list (every entry is also in the classic table of
// net/core/filter.c), sorted so lookups can binary-search.
constexpr std::array<uint16_t, 41> kSeccompOpcodes = [] {
  std::array<uint16_t, 41> codes = {
      opcode::kLdImm, opcode::kLdxImm, opcode::kSt, opcode::kStx, opcode::kJa, opcode::kRetK,
      opcode::kTax, opcode::kRetA, opcode::kLdAbs, opcode::kLdMem, opcode::kLdxMem, opcode::kLdLen,
      opcode::kLdxLen, opcode::kNeg, opcode::kTxa,
      // ALU with k and with x (no BPF_MOD: seccomp does not accept it).
      op::kAlu | op::kAdd, op::kAlu | op::kAdd | op::kX, op::kAlu | op::kSub, op::kAlu | op::kSub | op::kX,
      op::kAlu | op::kMul, op::kAlu | op::kMul | op::kX, op::kAlu | op::kDiv, op::kAlu | op::kDiv | op::kX,
      op::kAlu | op::kOr, op::kAlu | op::kOr | op::kX, op::kAlu | op::kAnd, op::kAlu | op::kAnd | op::kX,
      op::kAlu | op::kLsh, op::kAlu | op::kLsh | op::kX, op::kAlu | op::kRsh, op::kAlu | op::kRsh | op::kX,
      op::kAlu | op::kXor, op::kAlu | op::kXor | op::kX,
      // Conditional jumps with k and with x.
      op::kJmp | op::kJeq, op::kJmp | op::kJeq | op::kX, op::kJmp | op::kJgt, op::kJmp | op::kJgt | op::kX,
      op::kJmp | op::kJge, op::kJmp | op::kJge | op::kX, op::kJmp | op::kJset, op::kJmp | op::kJset | op::kX};
  std::sort(codes.begin(), codes.end());
  return codes;
}();

}  // namespace

bool IsSeccompOpcode(uint16_t code) {
  return std::binary_search(kSeccompOpcodes.begin(), kSeccompOpcodes.end(), code);
}

std::span<const uint16_t> SeccompOpcodes() { return kSeccompOpcodes; }

std::string_view AluMnemonic(uint16_t alu_op) {
  switch (alu_op) {
    case op::kAdd: return "add";
    case op::kSub: return "sub";
    case op::kMul: return "mul";
    case op::kDiv: return "div";
    case op::kOr: return "or";
    case op::kAnd: return "and";
    case op::kLsh: return "lsh";
    case op::kRsh: return "rsh";
    case op::kNeg: return "neg";
    case op::kMod: return "mod";
    case op::kXor: return "xor";
    default: return {};
  }
}

std::string_view JumpMnemonic(uint16_t jump_op) {
  switch (jump_op) {
    case op::kJeq: return "jeq";
    case op::kJgt: return "jgt";
    case op::kJge: return "jge";
    case op::kJset: return "jset";
    default: return {};
  }
}

}  // namespace sysfence::bpf
