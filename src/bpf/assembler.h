// SPDX-License-Identifier: Apache-2.0
// The assembler: write programs with named labels and forward jumps; conditional jumps whose
// target is more than 255 instructions away get a `ja` trampoline automatically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::bpf {

/// A jump target inside an Assembler; create with Assembler::NewLabel, place with Bind.
struct Label {
  uint32_t id = 0;
};

/// Builds a Program. Errors (a label bound twice, a backward jump) are remembered and the first one
/// is returned by Finish, so call sites can emit freely and check once.
///
///   Assembler as;
///   Label native = as.NewLabel("native"), kill = as.NewLabel("kill");
///   as.Emit(Stmt(opcode::kLdAbs, offset::kArch));
///   as.JumpIf(op::kJeq, 0xc000003e, native, kill);
///   as.Bind(native);
///   as.Ret(seccomp_ret::kAllow);
///   as.Bind(kill);
///   as.Ret(seccomp_ret::kKillProcess);
///   Result<Program> program = as.Finish();
class Assembler {
 public:
  /// A new, unbound label; `name` is used in error messages.
  Label NewLabel(std::string_view name = {});
  /// Binds `label` to the next instruction emitted. Binding a label twice is an error.
  void Bind(Label label);

  /// Appends a non-jump instruction as is (use Stmt() to build it). Jumps go through Ja/JumpIf.
  void Emit(const Instruction& insn);
  /// Appends `insn` verbatim, jumps included: their offsets stay as encoded (no labels, no
  /// trampolines), so they are exact only when no trampoline is inserted between the jump and its
  /// target. For raw encodings such as the disassembler's `.insn` lines.
  void EmitRaw(const Instruction& insn);
  /// `ja label`.
  void Ja(Label target);
  /// A conditional jump comparing A with `k`: `jump_op` is op::kJeq/kJgt/kJge/kJset.
  void JumpIf(uint16_t jump_op, uint32_t k, Label if_true, Label if_false);
  /// A conditional jump comparing A with X.
  void JumpIfX(uint16_t jump_op, Label if_true, Label if_false);
  /// `ret #value`.
  void Ret(uint32_t value);
  /// `ret a`.
  void RetA();

  /// Instructions emitted so far (trampolines not counted).
  size_t size() const { return items_.size(); }

  /// Lays the program out: resolves labels, inserts trampolines for far conditional jumps. Fails
  /// for an undefined label, a backward jump, a label bound after the last instruction, a jump
  /// emitted with a bad opcode, more than 4096 instructions, or any error recorded earlier.
  Result<Program> Finish() const;

 private:
  struct Item {
    Instruction insn;
    std::optional<uint32_t> jt;  // label ids; ja uses jt only
    std::optional<uint32_t> jf;
  };
  struct LabelInfo {
    std::string name;
    std::optional<size_t> item;  // index of the item it is bound to
  };
  std::string LabelName(uint32_t id) const;
  // Resolves every label use to the index of the item it is bound to (jt_item/jf_item, one per
  // item), checking that each is bound, forward and inside the program.
  Result<void> ResolveLabels(std::vector<size_t>& jt_item, std::vector<size_t>& jf_item) const;
  void RecordError(std::string message);

  std::vector<Item> items_;
  std::vector<LabelInfo> labels_;
  std::optional<std::string> first_error_;
};

}  // namespace sysfence::bpf
