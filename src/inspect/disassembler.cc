// SPDX-License-Identifier: Apache-2.0
#include "inspect/disassembler.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "bpf/instruction_text.h"
#include "bpf/opcodes.h"
#include "core/action.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {

using bpf::Instruction;
using bpf::IsConditionalJump;
using bpf::JumpOp;
using bpf::Program;
using bpf::UsesX;
namespace op = bpf::op;
namespace opcode = bpf::opcode;
namespace offset = bpf::offset;

namespace {

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
      return action.ToString() + " (data " + bpf::HexNumber(insn.k & seccomp_ret::kDataMask) + " is ignored)";
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

std::string Disassemble(const Program& program, const DisassembleOptions& options) {
  std::string out = "; " + std::to_string(program.size()) + " instruction" + (program.size() == 1 ? "" : "s") +
                    "; jump targets are instruction offsets\n";
  const std::vector<FlowState> flow = ComputeFlow(program);
  const int width = program.size() > 999 ? 4 : 3;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    char prefix[32];
    std::snprintf(prefix, sizeof(prefix), "%*zu: ", width, pc);
    std::string line = prefix + bpf::InstructionText(program, pc);
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

}  // namespace sysfence::inspect
