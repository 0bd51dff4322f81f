// SPDX-License-Identifier: Apache-2.0
#include "bpf/assembler.h"

#include "bpf/opcodes.h"

namespace sysfence::bpf {

Label Assembler::NewLabel(std::string_view name) {
  labels_.push_back(LabelInfo{std::string(name), std::nullopt});
  return Label{static_cast<uint32_t>(labels_.size() - 1)};
}

std::string Assembler::LabelName(uint32_t id) const {
  if (id < labels_.size() && !labels_[id].name.empty()) return "'" + labels_[id].name + "'";
  return "#" + std::to_string(id);
}

void Assembler::RecordError(std::string message) {
  if (!first_error_) first_error_ = std::move(message);
}

void Assembler::Bind(Label label) {
  if (label.id >= labels_.size()) {
    RecordError("binding label #" + std::to_string(label.id) + " that this assembler did not create");
    return;
  }
  LabelInfo& info = labels_[label.id];
  if (info.item) {
    RecordError("label " + LabelName(label.id) + " bound twice (at instructions " + std::to_string(*info.item) +
                " and " + std::to_string(items_.size()) + ")");
    return;
  }
  info.item = items_.size();
}

void Assembler::Emit(const Instruction& insn) {
  if (insn.code == opcode::kJa || IsConditionalJump(insn.code)) {
    RecordError("instruction " + std::to_string(items_.size()) + ": jumps must be emitted with Ja/JumpIf");
  }
  items_.push_back(Item{insn, std::nullopt, std::nullopt});
}

void Assembler::EmitRaw(const Instruction& insn) { items_.push_back(Item{insn, std::nullopt, std::nullopt}); }

void Assembler::Ja(Label target) { items_.push_back(Item{Stmt(opcode::kJa), target.id, std::nullopt}); }

void Assembler::JumpIf(uint16_t jump_op, uint32_t k, Label if_true, Label if_false) {
  const uint16_t code = static_cast<uint16_t>(op::kJmp | jump_op | op::kK);
  if (!IsConditionalJump(code)) RecordError("instruction " + std::to_string(items_.size()) + ": not a conditional jump");
  items_.push_back(Item{Instruction{code, 0, 0, k}, if_true.id, if_false.id});
}

void Assembler::JumpIfX(uint16_t jump_op, Label if_true, Label if_false) {
  const uint16_t code = static_cast<uint16_t>(op::kJmp | jump_op | op::kX);
  if (!IsConditionalJump(code)) RecordError("instruction " + std::to_string(items_.size()) + ": not a conditional jump");
  items_.push_back(Item{Instruction{code, 0, 0, 0}, if_true.id, if_false.id});
}

void Assembler::Ret(uint32_t value) { Emit(Stmt(opcode::kRetK, value)); }

void Assembler::RetA() { Emit(Stmt(opcode::kRetA)); }

Result<void> Assembler::ResolveLabels(std::vector<size_t>& jt_item, std::vector<size_t>& jf_item) const {
  const size_t count = items_.size();
  for (size_t i = 0; i < count; ++i) {
    for (int side = 0; side < 2; ++side) {
      const std::optional<uint32_t>& label = side == 0 ? items_[i].jt : items_[i].jf;
      if (!label) continue;
      if (*label >= labels_.size()) {
        return MakeError(ErrorCode::kInvalidInput, "instruction " + std::to_string(i) + ": unknown label #" +
                                                       std::to_string(*label));
      }
      const LabelInfo& info = labels_[*label];
      if (!info.item) {
        return MakeError(ErrorCode::kInvalidInput,
                         "instruction " + std::to_string(i) + ": undefined label " + LabelName(*label));
      }
      if (*info.item <= i) {
        return MakeError(ErrorCode::kInvalidInput, "instruction " + std::to_string(i) + ": backward jump to label " +
                                                       LabelName(*label) + " (BPF jumps only go forward)");
      }
      if (*info.item >= count) {
        return MakeError(ErrorCode::kInvalidInput, "instruction " + std::to_string(i) + ": label " +
                                                       LabelName(*label) + " is bound after the last instruction");
      }
      (side == 0 ? jt_item : jf_item)[i] = *info.item;
    }
  }
  return Ok();
}

Result<Program> Assembler::Finish() const {
  if (first_error_) return MakeError(ErrorCode::kInvalidInput, *first_error_);
  const size_t count = items_.size();
  std::vector<size_t> jt_item(count, 0), jf_item(count, 0);
  if (Result<void> resolved = ResolveLabels(jt_item, jf_item); !resolved.ok()) return resolved.error();
  // Trampolines: bit 0 = the true branch goes through a `ja` placed right after the jump, bit 1 =
  // the false branch does. Each insertion can push other jumps out of range, so iterate to a fixed
  // point; insertions only grow, so this terminates.
  std::vector<uint8_t> trampolines(count, 0);
  std::vector<size_t> position(count + 1, 0);
  bool changed = true;
  while (changed) {
    changed = false;
    size_t next = 0;
    for (size_t i = 0; i < count; ++i) {
      position[i] = next;
      next += 1 + ((trampolines[i] & 1) ? 1 : 0) + ((trampolines[i] & 2) ? 1 : 0);
    }
    position[count] = next;
    for (size_t i = 0; i < count; ++i) {
      if (!IsConditionalJump(items_[i].insn.code) || !items_[i].jt) continue;
      for (int side = 0; side < 2; ++side) {
        const uint8_t bit = static_cast<uint8_t>(1 << side);
        if (trampolines[i] & bit) continue;
        const size_t target = side == 0 ? jt_item[i] : jf_item[i];
        if (position[target] - position[i] - 1 > 255) {
          trampolines[i] |= bit;
          changed = true;
        }
      }
    }
  }
  if (position[count] > kMaxInstructions) {
    return MakeError(ErrorCode::kLimit, "program has " + std::to_string(position[count]) +
                                            " instructions; the kernel accepts at most 4096");
  }
  Program program;
  program.reserve(position[count]);
  for (size_t i = 0; i < count; ++i) {
    Instruction insn = items_[i].insn;
    const size_t here = position[i];
    if (!items_[i].jt) {
      program.push_back(insn);  // raw (EmitRaw) or non-jump: verbatim
    } else if (insn.code == opcode::kJa) {
      insn.k = static_cast<uint32_t>(position[jt_item[i]] - here - 1);
      program.push_back(insn);
    } else if (IsConditionalJump(insn.code)) {
      const bool far_true = trampolines[i] & 1, far_false = trampolines[i] & 2;
      insn.jt = static_cast<uint8_t>(far_true ? 0 : position[jt_item[i]] - here - 1);
      insn.jf = static_cast<uint8_t>(far_false ? (far_true ? 1 : 0) : position[jf_item[i]] - here - 1);
      program.push_back(insn);
      if (far_true) program.push_back(Stmt(opcode::kJa, static_cast<uint32_t>(position[jt_item[i]] - program.size() - 1)));
      if (far_false) program.push_back(Stmt(opcode::kJa, static_cast<uint32_t>(position[jf_item[i]] - program.size() - 1)));
    } else {
      program.push_back(insn);
    }
  }
  return program;
}

}  // namespace sysfence::bpf
