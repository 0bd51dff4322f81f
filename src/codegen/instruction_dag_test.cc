// SPDX-License-Identifier: Apache-2.0
#include "codegen/instruction_dag.h"

#include <gtest/gtest.h>

#include "bpf/evaluator.h"
#include "bpf/verifier.h"

namespace sysfence::codegen {
namespace {

SeccompData Nr(int32_t nr) {
  SeccompData data;
  data.nr = nr;
  return data;
}

TEST(InstructionDagTest, SharesIdenticalInstructionsAndJumpsForward) {
  InstructionDag a;
  const InsnRef allow = a.Ret(0x7fff0000u);
  EXPECT_EQ(a.Ret(0x7fff0000u), allow);
  const InsnRef deny = a.Ret(0x00050001u);
  const InsnRef j1 = a.Jump(bpf::op::kJeq, 7, allow, deny);
  EXPECT_EQ(a.Jump(bpf::op::kJeq, 7, allow, deny), j1);
  EXPECT_EQ(a.Jump(bpf::op::kJeq, 8, allow, allow), allow);  // both ways the same: no jump
  const InsnRef entry = a.LoadWord(bpf::offset::kNr, j1);
  auto program = a.Finish(entry);
  ASSERT_TRUE(program.ok());
  ASSERT_EQ(program->size(), 4u);
  EXPECT_TRUE(bpf::Verify(*program).ok());
  EXPECT_EQ(bpf::Evaluate(*program, Nr(7))->value, 0x7fff0000u);
  EXPECT_EQ(bpf::Evaluate(*program, Nr(6))->value, 0x00050001u);
}

TEST(InstructionDagTest, FarReturnsAreCopiedAndFarCodeIsReachedThroughJa) {
  InstructionDag a;
  const InsnRef allow = a.Ret(0x7fff0000u);
  // A multi-instruction tail that cannot be copied cheaply.
  const InsnRef deny = a.Ret(0x00050001u);
  const InsnRef tail = a.LoadWord(bpf::offset::ArgLo(0), a.Jump(bpf::op::kJeq, 1, allow, deny));
  // 300 distinct returns push everything out of an 8-bit offset's reach.
  InsnRef chain = a.Ret(0x00050000u | 300);
  for (uint32_t i = 0; i < 300; ++i) chain = a.Jump(bpf::op::kJeq, 1000 + i, a.Ret(0x00050000u | i), chain);
  const InsnRef far = a.Jump(bpf::op::kJeq, 5, allow, tail);
  const InsnRef far2 = a.Jump(bpf::op::kJeq, 6, tail, far);
  const InsnRef top = a.Jump(bpf::op::kJge, 1000, chain, far2);
  auto program = a.Finish(a.LoadWord(bpf::offset::kNr, top));
  ASSERT_TRUE(program.ok());
  ASSERT_TRUE(bpf::Verify(*program).ok()) << bpf::FindVerifyFailure(*program)->ToString();
  size_t ja = 0;
  for (const bpf::Instruction& insn : *program) ja += insn.code == (bpf::op::kJmp | bpf::op::kJa) ? 1 : 0;
  EXPECT_GE(ja, 1u);  // the tail is reached through a JA
  EXPECT_EQ(bpf::Evaluate(*program, Nr(5))->value, 0x7fff0000u);
  SeccompData d = Nr(6);
  d.args[0] = 1;
  EXPECT_EQ(bpf::Evaluate(*program, d)->value, 0x7fff0000u);
  EXPECT_EQ(bpf::Evaluate(*program, Nr(4))->value, 0x00050001u);
  for (int32_t i = 0; i < 300; ++i) EXPECT_EQ(bpf::Evaluate(*program, Nr(1000 + i))->value, 0x00050000u | i);
  EXPECT_EQ(bpf::Evaluate(*program, Nr(5000))->value, 0x00050000u | 300);
}

TEST(InstructionDagTest, StraightLineInstructionsGetAnAdjacentSuccessor) {
  InstructionDag a;
  const InsnRef allow = a.Ret(0x7fff0000u);
  const InsnRef deny = a.Ret(0);
  const InsnRef test = a.Jump(bpf::op::kJeq, 3, allow, deny);
  const InsnRef other = a.Jump(bpf::op::kJeq, 4, deny, allow);  // now `test` is not the last one
  const InsnRef load_then_test = a.LoadWord(bpf::offset::ArgLo(1), test);
  const InsnRef pick = a.Jump(bpf::op::kJset, 1, load_then_test, other);
  auto program = a.Finish(a.LoadWord(bpf::offset::kNr, pick));
  ASSERT_TRUE(program.ok());
  ASSERT_TRUE(bpf::Verify(*program).ok());
  SeccompData d = Nr(1);
  d.args[1] = 3;
  auto run = bpf::Evaluate(*program, d);
  EXPECT_EQ(run->value, 0x7fff0000u);
  EXPECT_EQ(run->executed, 5u);  // ld nr, jset, ld arg1, jeq, ret: the load falls through
  for (const bpf::Instruction& insn : *program) EXPECT_NE(insn.code, bpf::op::kJmp | bpf::op::kJa);
}

TEST(InstructionDagTest, MoreThan4096InstructionsIsAnErrorWithTheCount) {
  InstructionDag a;
  InsnRef chain = a.Ret(0);
  for (uint32_t i = 0; i < 2100; ++i) chain = a.Jump(bpf::op::kJeq, i, a.Ret(0x00050000u | (i % 4000 + 1)), chain);
  auto program = a.Finish(a.LoadWord(bpf::offset::kNr, chain));
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.error().code, ErrorCode::kLimit);
  EXPECT_NE(program.error().message.find(std::to_string(a.size())), std::string::npos) << program.error().message;
  EXPECT_NE(program.error().message.find("4096"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::codegen
