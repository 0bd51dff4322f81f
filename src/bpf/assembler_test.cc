// SPDX-License-Identifier: Apache-2.0
#include "bpf/assembler.h"

#include <gtest/gtest.h>

#include "bpf/evaluator.h"
#include "bpf/opcodes.h"
#include "bpf/verifier.h"
#include "core/action.h"

namespace sysfence::bpf {
namespace {

TEST(AssemblerTest, ResolvesForwardLabels) {
  Assembler as;
  Label native = as.NewLabel("native"), kill = as.NewLabel("kill");
  as.Emit(Stmt(opcode::kLdAbs, offset::kArch));
  as.JumpIf(op::kJeq, 0xc000003e, native, kill);
  as.Bind(native);
  as.Ret(seccomp_ret::kAllow);
  as.Bind(kill);
  as.Ret(seccomp_ret::kKillProcess);
  auto program = as.Finish();
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_EQ(*program, (Program{Stmt(opcode::kLdAbs, 4), Jump(op::kJmp | op::kJeq, 0xc000003e, 0, 1),
                               Stmt(opcode::kRetK, seccomp_ret::kAllow), Stmt(opcode::kRetK, seccomp_ret::kKillProcess)}));
}

TEST(AssemblerTest, JaUsesTheFull32BitOffset) {
  Assembler as;
  Label end = as.NewLabel("end");
  as.Ja(end);
  for (int i = 0; i < 1000; ++i) as.Emit(Stmt(opcode::kTax));
  as.Bind(end);
  as.Ret(0);
  auto program = as.Finish();
  ASSERT_TRUE(program.ok());
  EXPECT_EQ((*program)[0], Stmt(opcode::kJa, 1000));
}

TEST(AssemblerTest, FarConditionalJumpsGetTrampolines) {
  for (int distance : {255, 256, 300, 2000}) {
    for (bool far_true : {false, true}) {
      Assembler as;
      Label near = as.NewLabel("near"), far = as.NewLabel("far");
      as.Emit(Stmt(opcode::kLdAbs, offset::kNr));
      if (far_true) {
        as.JumpIf(op::kJeq, 7, far, near);
      } else {
        as.JumpIf(op::kJeq, 7, near, far);
      }
      as.Bind(near);
      for (int i = 0; i < distance; ++i) as.Emit(Stmt(op::kAlu | op::kAdd, 0));
      as.Ret(1);
      as.Bind(far);
      as.Ret(2);
      auto program = as.Finish();
      ASSERT_TRUE(program.ok()) << program.error().message;
      ASSERT_TRUE(Verify(*program).ok()) << Verify(*program).error().message;
      const size_t expected = static_cast<size_t>(distance) + 4 + (distance + 1 > 255 ? 1 : 0);
      EXPECT_EQ(program->size(), expected) << distance;
      SeccompData data;
      data.nr = 7;
      EXPECT_EQ(Evaluate(*program, data)->value, far_true ? 2u : 1u) << distance;
      data.nr = 8;
      EXPECT_EQ(Evaluate(*program, data)->value, far_true ? 1u : 2u) << distance;
    }
  }
}

TEST(AssemblerTest, BothBranchesFar) {
  Assembler as;
  Label a = as.NewLabel("a"), b = as.NewLabel("b");
  as.Emit(Stmt(opcode::kLdAbs, offset::kNr));
  as.JumpIf(op::kJgt, 10, a, b);
  for (int i = 0; i < 400; ++i) as.Emit(Stmt(opcode::kTax));
  as.Bind(a);
  for (int i = 0; i < 400; ++i) as.Emit(Stmt(opcode::kTax));
  as.Ret(1);
  as.Bind(b);
  as.Ret(2);
  auto program = as.Finish();
  ASSERT_TRUE(program.ok());
  ASSERT_TRUE(Verify(*program).ok());
  SeccompData data;
  data.nr = 11;
  EXPECT_EQ(Evaluate(*program, data)->value, 1u);
  data.nr = 10;
  EXPECT_EQ(Evaluate(*program, data)->value, 2u);
}

TEST(AssemblerTest, TrampolinesCanPushOtherJumpsOutOfRange) {
  // Many jumps to one distant label: each trampoline lengthens the others' distance.
  Assembler as;
  Label target = as.NewLabel("target");
  std::vector<Label> nexts;
  as.Emit(Stmt(opcode::kLdAbs, offset::kNr));
  for (int i = 0; i < 300; ++i) {
    Label next = as.NewLabel();
    as.JumpIf(op::kJeq, static_cast<uint32_t>(i), target, next);
    as.Bind(next);
  }
  as.Ret(1);
  as.Bind(target);
  as.Ret(2);
  auto program = as.Finish();
  ASSERT_TRUE(program.ok());
  ASSERT_TRUE(Verify(*program).ok()) << Verify(*program).error().message;
  for (int32_t nr : {0, 50, 299}) {
    SeccompData data;
    data.nr = nr;
    EXPECT_EQ(Evaluate(*program, data)->value, 2u) << nr;
  }
  SeccompData data;
  data.nr = 300;
  EXPECT_EQ(Evaluate(*program, data)->value, 1u);
}

TEST(AssemblerTest, Errors) {
  {
    Assembler as;
    as.Ja(as.NewLabel("nowhere"));
    as.Ret(0);
    auto program = as.Finish();
    ASSERT_FALSE(program.ok());
    EXPECT_NE(program.error().message.find("undefined label 'nowhere'"), std::string::npos);
  }
  {
    Assembler as;
    Label top = as.NewLabel("top");
    as.Bind(top);
    as.Emit(Stmt(opcode::kTax));
    as.JumpIf(op::kJeq, 0, top, top);
    as.Ret(0);
    auto program = as.Finish();
    ASSERT_FALSE(program.ok());
    EXPECT_NE(program.error().message.find("backward jump to label 'top'"), std::string::npos);
  }
  {
    Assembler as;
    Label twice = as.NewLabel("twice");
    as.Bind(twice);
    as.Ret(0);
    as.Bind(twice);
    as.Ret(0);
    auto program = as.Finish();
    ASSERT_FALSE(program.ok());
    EXPECT_NE(program.error().message.find("bound twice"), std::string::npos);
  }
  {
    Assembler as;
    Label end = as.NewLabel("end");
    as.Ja(end);
    as.Ret(0);
    as.Bind(end);
    auto program = as.Finish();
    ASSERT_FALSE(program.ok());
    EXPECT_NE(program.error().message.find("after the last instruction"), std::string::npos);
  }
  {
    Assembler as;
    as.Emit(Stmt(opcode::kJa, 0));  // jumps must go through Ja/JumpIf
    as.Ret(0);
    EXPECT_FALSE(as.Finish().ok());
  }
  {
    Assembler as;
    for (size_t i = 0; i <= kMaxInstructions; ++i) as.Ret(0);
    auto program = as.Finish();
    ASSERT_FALSE(program.ok());
    EXPECT_EQ(program.error().code, ErrorCode::kLimit);
  }
}

}  // namespace
}  // namespace sysfence::bpf
