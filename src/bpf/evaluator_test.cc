// SPDX-License-Identifier: Apache-2.0
#include "bpf/evaluator.h"

#include <gtest/gtest.h>

#include "bpf/opcodes.h"

namespace sysfence::bpf {
namespace {

SeccompData Data() {
  SeccompData data;
  data.nr = 59;
  data.arch = 0xc000003e;
  data.instruction_pointer = 0x1122334455667788ull;
  for (int i = 0; i < 6; ++i) data.args[i] = (uint64_t{0xa0u + static_cast<uint32_t>(i)} << 32) | (10u + i);
  return data;
}

// Runs `body` followed by `ret a` and returns A.
uint32_t RunA(Program body, const SeccompData& data = Data()) {
  body.push_back(Stmt(opcode::kRetA));
  auto result = Evaluate(body, data);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? result->value : 0xdeadbeef;
}

TEST(EvaluatorTest, Loads) {
  EXPECT_EQ(RunA({}), 0u);  // A starts at 0
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 7)}), 7u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdAbs, offset::kNr)}), 59u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdAbs, offset::kArch)}), 0xc000003eu);
  EXPECT_EQ(RunA({Stmt(opcode::kLdAbs, offset::kInstructionPointerLo)}), 0x55667788u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdAbs, offset::kInstructionPointerHi)}), 0x11223344u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdAbs, offset::ArgLo(3))}), 13u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdAbs, offset::ArgHi(5))}), 0xa5u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdLen)}), 64u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxLen), Stmt(opcode::kTxa)}), 64u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 9), Stmt(opcode::kTxa)}), 9u);
  EXPECT_EQ(RunA({Stmt(opcode::kTxa)}), 0u);  // X starts at 0
}

TEST(EvaluatorTest, MemoryAndRegisters) {
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 5), Stmt(opcode::kSt, 15), Stmt(opcode::kLdImm, 0), Stmt(opcode::kLdMem, 15)}),
               5u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 6), Stmt(opcode::kStx, 0), Stmt(opcode::kLdxMem, 0), Stmt(opcode::kTxa)}),
            6u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 4), Stmt(opcode::kTax), Stmt(opcode::kLdImm, 0), Stmt(opcode::kTxa)}), 4u);
}

TEST(EvaluatorTest, AluIs32BitUnsigned) {
  const uint16_t alu = op::kAlu;
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0xffffffffu), Stmt(alu | op::kAdd, 2)}), 1u);
  EXPECT_EQ(RunA({Stmt(alu | op::kSub, 1)}), 0xffffffffu);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0x10000), Stmt(alu | op::kMul, 0x10000)}), 0u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0xffffffffu), Stmt(alu | op::kDiv, 16)}), 0x0fffffffu);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0xf0), Stmt(alu | op::kOr, 0x0f)}), 0xffu);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0xf0), Stmt(alu | op::kAnd, 0x3c)}), 0x30u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0xf0), Stmt(alu | op::kXor, 0xff)}), 0x0fu);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 1), Stmt(alu | op::kLsh, 31)}), 0x80000000u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 0x80000000u), Stmt(alu | op::kRsh, 31)}), 1u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdImm, 1), Stmt(opcode::kNeg)}), 0xffffffffu);
  // With X as the operand.
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 10), Stmt(alu | op::kSub | op::kX)}), 7u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 10), Stmt(alu | op::kDiv | op::kX)}), 3u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 10), Stmt(alu | op::kMul | op::kX)}), 30u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 10), Stmt(alu | op::kAdd | op::kX)}), 13u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 12), Stmt(alu | op::kAnd | op::kX)}), 0u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 12), Stmt(alu | op::kOr | op::kX)}), 15u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 12), Stmt(alu | op::kXor | op::kX)}), 15u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 1), Stmt(alu | op::kLsh | op::kX)}), 8u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 3), Stmt(opcode::kLdImm, 16), Stmt(alu | op::kRsh | op::kX)}), 2u);
}

TEST(EvaluatorTest, ShiftByXUsesTheLowFiveBits) {
  // The kernel (interpreter and JITs) shifts 32-bit registers by X & 31; the oracle test confirms.
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 33), Stmt(opcode::kLdImm, 1), Stmt(op::kAlu | op::kLsh | op::kX)}), 2u);
  EXPECT_EQ(RunA({Stmt(opcode::kLdxImm, 32), Stmt(opcode::kLdImm, 6), Stmt(op::kAlu | op::kRsh | op::kX)}), 6u);
}

TEST(EvaluatorTest, DivisionByXZeroReturnsZero) {
  Program program = {Stmt(opcode::kLdImm, 10), Stmt(op::kAlu | op::kDiv | op::kX), Stmt(opcode::kRetK, 1)};
  auto result = Evaluate(program, Data());
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->divided_by_zero);
  EXPECT_EQ(result->value, 0u);
  EXPECT_EQ(result->action, Action::KillThread());
  EXPECT_EQ(result->exit_offset, 1u);
  EXPECT_EQ(result->executed, 2u);
}

TEST(EvaluatorTest, JumpsAndCounts) {
  const uint16_t jmp = op::kJmp;
  // jeq/jgt/jge/jset against k, taken and not taken.
  struct Case {
    uint16_t jump_op;
    uint32_t a, k;
    bool taken;
  } cases[] = {{op::kJeq, 5, 5, true},   {op::kJeq, 5, 6, false},         {op::kJgt, 6, 5, true},
               {op::kJgt, 5, 5, false},  {op::kJge, 5, 5, true},          {op::kJge, 4, 5, false},
               {op::kJset, 6, 2, true},  {op::kJset, 6, 1, false},        {op::kJgt, 0x80000000u, 1, true}};
  for (const Case& c : cases) {
    Program program = {Stmt(opcode::kLdImm, c.a), Jump(jmp | c.jump_op, c.k, 1, 0), Stmt(opcode::kRetK, 100),
                       Stmt(opcode::kRetK, 200)};
    auto result = Evaluate(program, Data(), EvalOptions{.record_path = true});
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->value, c.taken ? 200u : 100u) << c.jump_op << " " << c.a << " " << c.k;
    EXPECT_EQ(result->executed, 3u);
    EXPECT_EQ(result->path, (std::vector<uint32_t>{0, 1, c.taken ? 3u : 2u}));
    // The same with X as the operand.
    Program with_x = {Stmt(opcode::kLdxImm, c.k), Stmt(opcode::kLdImm, c.a), Jump(jmp | c.jump_op | op::kX, 0, 1, 0),
                      Stmt(opcode::kRetK, 100), Stmt(opcode::kRetK, 200)};
    EXPECT_EQ(Evaluate(with_x, Data())->value, c.taken ? 200u : 100u);
  }
  Program ja = {Stmt(opcode::kJa, 1), Stmt(opcode::kRetK, 1), Stmt(opcode::kRetK, 2)};
  EXPECT_EQ(Evaluate(ja, Data())->value, 2u);
  EXPECT_EQ(Evaluate(ja, Data())->executed, 2u);
  EXPECT_EQ(Evaluate(ja, Data())->exit_offset, 2u);
}

TEST(EvaluatorTest, ReturnsDecodeToActions) {
  auto result = Evaluate({Stmt(opcode::kRetK, seccomp_ret::kErrno | 1)}, Data());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->action, Action::Errno(1));
  EXPECT_EQ(result->action.ToString(), "errno(EPERM)");
}

TEST(EvaluatorTest, UnverifiedProgramsFailWithTheOffset) {
  auto past_end = Evaluate({Stmt(opcode::kLdImm, 1)}, Data());
  ASSERT_FALSE(past_end.ok());
  EXPECT_NE(past_end.error().message.find("instruction 1"), std::string::npos);
  auto unwritten = Evaluate({Stmt(opcode::kTax), Stmt(opcode::kLdMem, 2), Stmt(opcode::kRetA)}, Data());
  ASSERT_FALSE(unwritten.ok());
  EXPECT_NE(unwritten.error().message.find("instruction 1: reads M[2]"), std::string::npos);
  EXPECT_FALSE(Evaluate({Stmt(opcode::kLdAbs, 66), Stmt(opcode::kRetA)}, Data()).ok());
  EXPECT_FALSE(Evaluate({Stmt(0x28), Stmt(opcode::kRetA)}, Data()).ok());
}

}  // namespace
}  // namespace sysfence::bpf
