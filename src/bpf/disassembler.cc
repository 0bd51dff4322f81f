// SPDX-License-Identifier: Apache-2.0
#include "bpf/disassembler.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "bpf/opcodes.h"
#include "core/action.h"
#include "syscalls/syscalls.h"

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

// What the disassembler knows about the state before an instruction, for naming constants.
struct FlowState {
  enum class Content : uint8_t { kUnknown, kNr, kArch };
  bool reached = false;
  Content a = Content::kUnknown;
  std::optional<uint32_t> arch;  // AUDIT_ARCH established by a preceding `jeq` on the arch token
};

void Merge(FlowState& into, const FlowState& from) {
  if (!into.reached) {
    into = from;
    into.reached = true;
    return;
  }
  if (into.a != from.a) into.a = FlowState::Content::kUnknown;
  if (into.arch != from.arch) into.arch.reset();
}

std::vector<FlowState> ComputeFlow(const Program& program) {
  std::vector<FlowState> in(program.size());
  if (program.empty()) return in;
  in[0].reached = true;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    if (!in[pc].reached) continue;
    FlowState out = in[pc];
    const Instruction& insn = program[pc];
    const size_t remaining = program.size() - pc - 1;
    switch (insn.code) {
      case opcode::kLdAbs:
        out.a = insn.k == offset::kNr ? FlowState::Content::kNr
                : insn.k == offset::kArch ? FlowState::Content::kArch
                                          : FlowState::Content::kUnknown;
        break;
      case opcode::kTax:
      case opcode::kSt:
      case opcode::kStx:
      case opcode::kLdxImm:
      case opcode::kLdxLen:
      case opcode::kLdxMem: break;
      case opcode::kRetK:
      case opcode::kRetA: continue;
      case opcode::kJa:
        if (insn.k < remaining) Merge(in[pc + 1 + insn.k], out);
        continue;
      default:
        if (IsConditionalJump(insn.code)) {
          FlowState taken = out;
          if (insn.code == (op::kJmp | op::kJeq) && out.a == FlowState::Content::kArch) taken.arch = insn.k;
          if (insn.jt < remaining) Merge(in[pc + 1 + insn.jt], taken);
          if (insn.jf < remaining) Merge(in[pc + 1 + insn.jf], out);
          continue;
        }
        out.a = FlowState::Content::kUnknown;  // everything else writes A
        break;
    }
    if (pc + 1 < program.size()) Merge(in[pc + 1], out);
  }
  return in;
}

std::string Comment(const Program& program, size_t pc, const FlowState& state, Arch default_arch) {
  const Instruction& insn = program[pc];
  if (insn.code == opcode::kRetK) {
    const Action action = Action::FromSeccompRet(insn.k);
    if (action.ToSeccompRet() == insn.k) return {};
    const uint32_t kind = insn.k & seccomp_ret::kActionFullMask;
    if (kind == seccomp_ret::kErrno) return action.ToString() + " (the kernel caps errno at 4095)";
    if (Action::FromSeccompRet(kind).ToSeccompRet() == kind) {
      return action.ToString() + " (data " + Hex(insn.k & seccomp_ret::kDataMask) + " is ignored)";
    }
    return "unknown action: the kernel kills the process";
  }
  if (!IsConditionalJump(insn.code) || UsesX(insn.code)) return {};
  if (state.a == FlowState::Content::kArch) {
    if (auto arch = ArchFromAudit(insn.k)) {
      return std::string(ArchName(*arch) == "x86_64" ? "x86_64 (and x32)" : ArchName(*arch));
    }
    return "unknown arch token";
  }
  if (state.a != FlowState::Content::kNr) return {};
  const uint32_t audit = state.arch ? *state.arch : GetArchInfo(default_arch).audit_arch;
  if (JumpOp(insn.code) == op::kJset || insn.k == kX32SyscallBit) {
    return insn.k == kX32SyscallBit && ArchFromAudit(audit) == Arch::kX86_64 ? "x32 syscall bit" : "";
  }
  std::optional<Arch> arch = ArchOfSyscall(audit, insn.k);
  if (!arch && !state.arch) arch = default_arch;
  if (!arch) return {};
  auto name = syscalls::NameOf(*arch, insn.k);
  if (!name) return {};
  std::string text(*name);
  if (!state.arch) text += " (" + std::string(ArchName(*arch)) + "?)";
  return text;
}

}  // namespace

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

std::string Disassemble(const Program& program, const DisassembleOptions& options) {
  std::string out = "; " + std::to_string(program.size()) + " instruction" + (program.size() == 1 ? "" : "s") +
                    "; jump targets are instruction offsets\n";
  const std::vector<FlowState> flow = ComputeFlow(program);
  const int width = program.size() > 999 ? 4 : 3;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    char prefix[32];
    std::snprintf(prefix, sizeof(prefix), "%*zu: ", width, pc);
    std::string line = prefix + InstructionText(program, pc);
    if (options.comments) {
      std::string comment = Comment(program, pc, flow[pc], options.default_arch);
      if (!flow[pc].reached) comment = comment.empty() ? "unreachable" : "unreachable; " + comment;
      if (!comment.empty()) {
        if (line.size() < 40) line.resize(40, ' ');
        line += " ; " + comment;
      }
    }
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace sysfence::bpf
