// SPDX-License-Identifier: Apache-2.0
#include "bpf/verifier.h"

#include <gtest/gtest.h>

#include "bpf/opcodes.h"
#include "core/action.h"

namespace sysfence::bpf {
namespace {

Program Allow() { return {Stmt(opcode::kRetK, seccomp_ret::kAllow)}; }

// Expects a rejection at `offset` whose reason contains `words`.
void ExpectRejected(const Program& program, std::optional<size_t> offset, const std::string& words) {
  auto failure = FindVerifyFailure(program);
  ASSERT_TRUE(failure.has_value()) << "accepted, expected: " << words;
  EXPECT_EQ(failure->offset, offset) << failure->ToString();
  EXPECT_NE(failure->reason.find(words), std::string::npos) << failure->ToString();
  EXPECT_FALSE(Verify(program).ok());
}

TEST(VerifierTest, AcceptsTheSmallestProgram) { EXPECT_TRUE(Verify(Allow()).ok()); }

TEST(VerifierTest, LengthMustBe1To4096) {
  ExpectRejected({}, std::nullopt, "empty");
  Program longest(kMaxInstructions, Stmt(opcode::kRetK, 0));
  EXPECT_TRUE(Verify(longest).ok());
  longest.push_back(Stmt(opcode::kRetK, 0));
  ExpectRejected(longest, std::nullopt, "at most 4096");
  EXPECT_EQ(Verify(longest).error().code, ErrorCode::kLimit);
}

TEST(VerifierTest, RejectsOpcodesSeccompDoesNotAccept) {
  // Classic BPF that seccomp refuses: half-word and byte loads, indirect loads, msh, mod.
  for (uint16_t code : {0x28, 0x30, 0x40, 0x48, 0x50, 0xb1, 0x94, 0x9c, 0x0e, 0x8c, 0xff, 0x1000}) {
    ExpectRejected({Stmt(code, 0), Stmt(opcode::kRetK, 0)}, 0, "opcode");
  }
  size_t accepted = 0;
  for (uint32_t code = 0; code <= 0xffff; ++code) {
    if (IsSeccompOpcode(static_cast<uint16_t>(code))) ++accepted;
  }
  EXPECT_EQ(accepted, 41u);
}

TEST(VerifierTest, LoadsMustBeAlignedAndInsideSeccompData) {
  ExpectRejected({Stmt(opcode::kLdAbs, 2), Stmt(opcode::kRetA)}, 0, "aligned");
  ExpectRejected({Stmt(opcode::kLdAbs, 64), Stmt(opcode::kRetA)}, 0, "below 64");
  EXPECT_TRUE(Verify({Stmt(opcode::kLdAbs, 60), Stmt(opcode::kRetA)}).ok());
}

TEST(VerifierTest, ScratchMemoryIndexBelow16) {
  ExpectRejected({Stmt(opcode::kSt, 16), Stmt(opcode::kRetK, 0)}, 0, "M[0]..M[15]");
  ExpectRejected({Stmt(opcode::kStx, 0), Stmt(opcode::kLdxMem, 99), Stmt(opcode::kRetK, 0)}, 1, "out of range");
}

TEST(VerifierTest, ConstantDivisionByZeroAndWideShifts) {
  ExpectRejected({Stmt(op::kAlu | op::kDiv, 0), Stmt(opcode::kRetA)}, 0, "division by constant zero");
  ExpectRejected({Stmt(op::kAlu | op::kLsh, 32), Stmt(opcode::kRetA)}, 0, "shift");
  ExpectRejected({Stmt(op::kAlu | op::kRsh, 40), Stmt(opcode::kRetA)}, 0, "shift");
  EXPECT_TRUE(Verify({Stmt(op::kAlu | op::kDiv | op::kX), Stmt(op::kAlu | op::kLsh, 31), Stmt(opcode::kRetA)}).ok());
}

TEST(VerifierTest, JumpsMustStayInside) {
  ExpectRejected({Stmt(opcode::kJa, 1), Stmt(opcode::kRetK, 0)}, 0, "jump out of range");
  ExpectRejected({Jump(op::kJmp | op::kJeq, 0, 0, 1), Stmt(opcode::kRetK, 0)}, 0, "jump out of range");
  ExpectRejected({Jump(op::kJmp | op::kJset | op::kX, 0, 5, 0), Stmt(opcode::kRetK, 0)}, 0, "jump out of range");
  EXPECT_TRUE(Verify({Jump(op::kJmp | op::kJeq, 0, 0, 1), Stmt(opcode::kRetK, 0), Stmt(opcode::kRetK, 1)}).ok());
  // ja's k is unsigned: a "negative" jump is far out of range.
  ExpectRejected({Stmt(opcode::kJa, 0xffffffffu), Stmt(opcode::kRetK, 0)}, 0, "jump out of range");
}

TEST(VerifierTest, LastInstructionMustReturn) {
  ExpectRejected({Stmt(opcode::kLdImm, 1)}, 0, "last instruction must be a ret");
  ExpectRejected({Stmt(opcode::kRetK, 0), Stmt(opcode::kTax)}, 1, "last instruction");
}

TEST(VerifierTest, MemoryMustBeWrittenBeforeReadOnEveryPath) {
  ExpectRejected({Stmt(opcode::kLdMem, 3), Stmt(opcode::kRetA)}, 0, "M[3]");
  // Written on one branch only.
  ExpectRejected({Jump(op::kJmp | op::kJeq, 0, 0, 1), Stmt(opcode::kSt, 2), Stmt(opcode::kLdxMem, 2),
                  Stmt(opcode::kRetA)},
                 2, "M[2]");
  // Written before the branch: fine on both paths.
  EXPECT_TRUE(Verify({Stmt(opcode::kSt, 2), Jump(op::kJmp | op::kJeq, 0, 0, 1), Stmt(opcode::kTax),
                      Stmt(opcode::kLdMem, 2), Stmt(opcode::kRetA)})
                  .ok());
  // The kernel's quirk: code after a ret inherits the state before the ret (ret does not reset it).
  EXPECT_TRUE(Verify({Stmt(opcode::kSt, 0), Stmt(opcode::kRetK, 0), Stmt(opcode::kLdMem, 0), Stmt(opcode::kRetA)})
                  .ok());
  // ...but after a ja everything is "valid" until a jump target narrows it.
  EXPECT_TRUE(Verify({Stmt(opcode::kJa, 1), Stmt(opcode::kLdMem, 5), Stmt(opcode::kRetK, 0)}).ok());
  ExpectRejected({Stmt(opcode::kJa, 0), Stmt(opcode::kLdMem, 5), Stmt(opcode::kRetK, 0)}, 1, "M[5]");
}

TEST(VerifierTest, ErrorsNameTheInstruction) {
  auto result = Verify({Stmt(opcode::kTax), Stmt(0x28), Stmt(opcode::kRetK, 0)});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.rfind("instruction 1: ", 0), 0u) << result.error().message;
}

}  // namespace
}  // namespace sysfence::bpf
