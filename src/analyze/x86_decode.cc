// SPDX-License-Identifier: Apache-2.0
#include "analyze/x86_decode.h"

#include <capstone/capstone.h>

#include <algorithm>

#include "analyze/value.h"

namespace sysfence::analyze {
namespace {

struct GprWidth {
  int8_t gpr = -1;
  uint8_t width = 0;
};

// The tracked register a Capstone register belongs to, and how many bytes of it it names.
GprWidth GprOf(unsigned reg) {
  switch (reg) {
    case X86_REG_RAX: return {kRax, 8};
    case X86_REG_EAX: return {kRax, 4};
    case X86_REG_AX: return {kRax, 2};
    case X86_REG_AL: case X86_REG_AH: return {kRax, 1};
    case X86_REG_RCX: return {kRcx, 8};
    case X86_REG_ECX: return {kRcx, 4};
    case X86_REG_CX: return {kRcx, 2};
    case X86_REG_CL: case X86_REG_CH: return {kRcx, 1};
    case X86_REG_RDX: return {kRdx, 8};
    case X86_REG_EDX: return {kRdx, 4};
    case X86_REG_DX: return {kRdx, 2};
    case X86_REG_DL: case X86_REG_DH: return {kRdx, 1};
    case X86_REG_RBX: return {kRbx, 8};
    case X86_REG_EBX: return {kRbx, 4};
    case X86_REG_BX: return {kRbx, 2};
    case X86_REG_BL: case X86_REG_BH: return {kRbx, 1};
    case X86_REG_RSP: return {kRsp, 8};
    case X86_REG_ESP: return {kRsp, 4};
    case X86_REG_SP: return {kRsp, 2};
    case X86_REG_SPL: return {kRsp, 1};
    case X86_REG_RBP: return {kRbp, 8};
    case X86_REG_EBP: return {kRbp, 4};
    case X86_REG_BP: return {kRbp, 2};
    case X86_REG_BPL: return {kRbp, 1};
    case X86_REG_RSI: return {kRsi, 8};
    case X86_REG_ESI: return {kRsi, 4};
    case X86_REG_SI: return {kRsi, 2};
    case X86_REG_SIL: return {kRsi, 1};
    case X86_REG_RDI: return {kRdi, 8};
    case X86_REG_EDI: return {kRdi, 4};
    case X86_REG_DI: return {kRdi, 2};
    case X86_REG_DIL: return {kRdi, 1};
    default: break;
  }
  static constexpr unsigned k64[] = {X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
                                     X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15};
  static constexpr unsigned k32[] = {X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
                                     X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D};
  static constexpr unsigned k16[] = {X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W,
                                     X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W};
  static constexpr unsigned k8[] = {X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B,
                                    X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B};
  for (int i = 0; i < 8; ++i) {
    const auto gpr = static_cast<int8_t>(kR8 + i);
    if (reg == k64[i]) return {gpr, 8};
    if (reg == k32[i]) return {gpr, 4};
    if (reg == k16[i]) return {gpr, 2};
    if (reg == k8[i]) return {gpr, 1};
  }
  return {};
}

X86Flow FlowOf(const cs_insn& insn, const cs_detail& detail) {
  switch (insn.id) {
    case X86_INS_SYSCALL: return X86Flow::kSyscall;
    case X86_INS_SYSENTER: return X86Flow::kInt80;
    case X86_INS_INT:
      return detail.x86.op_count == 1 && detail.x86.operands[0].type == X86_OP_IMM && detail.x86.operands[0].imm == 0x80
                 ? X86Flow::kInt80
                 : X86Flow::kNone;
    case X86_INS_JMP: case X86_INS_LJMP: return X86Flow::kJump;
    case X86_INS_CALL: case X86_INS_LCALL: return X86Flow::kCall;
    case X86_INS_RET: case X86_INS_RETF: case X86_INS_RETFQ: case X86_INS_IRET: case X86_INS_IRETQ:
    case X86_INS_IRETD: case X86_INS_SYSRET: case X86_INS_SYSEXIT:
      return X86Flow::kReturn;
    case X86_INS_HLT: case X86_INS_UD2: case X86_INS_INT3: return X86Flow::kStop;
    default: break;
  }
  for (uint8_t i = 0; i < detail.groups_count; ++i) {
    if (detail.groups[i] == CS_GRP_JUMP) return X86Flow::kConditionalJump;
  }
  return X86Flow::kNone;
}

}  // namespace

bool X86Instruction::DirectTarget(uint64_t* target) const {
  if ((flow != X86Flow::kJump && flow != X86Flow::kConditionalJump && flow != X86Flow::kCall) || operand_count != 1 ||
      operands[0].kind != X86Operand::Kind::kImmediate) {
    return false;
  }
  *target = static_cast<uint64_t>(operands[0].immediate);
  return true;
}

bool X86Instruction::RipTarget(uint64_t* target) const {
  for (uint8_t i = 0; i < operand_count; ++i) {
    const X86Operand& op = operands[i];
    if (op.kind == X86Operand::Kind::kMemory && op.rip_relative && !op.has_index) {
      *target = next() + static_cast<uint64_t>(op.displacement);
      return true;
    }
  }
  return false;
}

Result<std::unique_ptr<X86Decoder>> X86Decoder::Create() {
  std::unique_ptr<X86Decoder> decoder(new X86Decoder());
  csh handle = 0;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
    return MakeError(ErrorCode::kInternal, "Capstone cannot open an x86_64 decoder");
  }
  decoder->handle_ = handle;
  cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
  decoder->insn_ = cs_malloc(handle);
  return decoder;
}

X86Decoder::~X86Decoder() {
  if (insn_ != nullptr) cs_free(static_cast<cs_insn*>(insn_), 1);
  if (handle_ != 0) {
    csh handle = handle_;
    cs_close(&handle);
  }
}

bool X86Decoder::DecodeOne(const uint8_t** code, size_t* size, uint64_t* address, X86Instruction* out) {
  auto* insn = static_cast<cs_insn*>(insn_);
  if (!cs_disasm_iter(handle_, code, size, address, insn)) return false;
  const cs_detail& detail = *insn->detail;
  out->address = insn->address;
  out->size = static_cast<uint8_t>(insn->size);
  out->id = insn->id;
  out->flow = FlowOf(*insn, detail);
  out->written_gprs = 0;
  out->operand_count = std::min<uint8_t>(detail.x86.op_count, 4);
  for (uint8_t i = 0; i < out->operand_count; ++i) {
    const cs_x86_op& source = detail.x86.operands[i];
    X86Operand& op = out->operands[i];
    op = X86Operand{};
    op.width = source.size;
    op.written = (source.access & CS_AC_WRITE) != 0;
    if (source.type == X86_OP_REG) {
      op.kind = X86Operand::Kind::kRegister;
      op.gpr = GprOf(source.reg).gpr;
      if (op.written && op.gpr >= 0) out->written_gprs |= static_cast<uint16_t>(1u << op.gpr);
    } else if (source.type == X86_OP_IMM) {
      op.kind = X86Operand::Kind::kImmediate;
      op.immediate = source.imm;
    } else if (source.type == X86_OP_MEM) {
      op.kind = X86Operand::Kind::kMemory;
      op.rip_relative = source.mem.base == X86_REG_RIP;
      op.base = GprOf(source.mem.base).gpr;
      op.other_base = !op.rip_relative && source.mem.base != X86_REG_INVALID && op.base < 0;
      op.has_index = source.mem.index != X86_REG_INVALID;
      op.displacement = source.mem.disp;
    }
  }
  for (uint8_t i = 0; i < detail.regs_write_count; ++i) {
    const int8_t gpr = GprOf(detail.regs_write[i]).gpr;
    if (gpr >= 0) out->written_gprs |= static_cast<uint16_t>(1u << gpr);
  }
  return true;
}

std::vector<X86Instruction> X86Decoder::DecodeRange(std::span<const uint8_t> code, uint64_t address,
                                                    size_t* undecodable) {
  std::vector<X86Instruction> out;
  out.reserve(code.size() / 4);
  const uint8_t* cursor = code.data();
  size_t left = code.size();
  uint64_t at = address;
  X86Instruction insn;
  while (left > 0) {
    if (DecodeOne(&cursor, &left, &at, &insn)) {
      out.push_back(insn);
      continue;
    }
    ++cursor;
    --left;
    ++at;
    if (undecodable != nullptr) ++*undecodable;
  }
  return out;
}

std::vector<X86Instruction> X86Decoder::DecodeSome(std::span<const uint8_t> code, uint64_t address, size_t limit) {
  std::vector<X86Instruction> out;
  const uint8_t* cursor = code.data();
  size_t left = code.size();
  uint64_t at = address;
  X86Instruction insn;
  while (left > 0 && out.size() < limit && DecodeOne(&cursor, &left, &at, &insn)) out.push_back(insn);
  return out;
}

}  // namespace sysfence::analyze
