// SPDX-License-Identifier: Apache-2.0
#include "inspect/disassembler.h"

#include <gtest/gtest.h>

#include <random>

#include "bpf/opcodes.h"
#include "bpf/text_assembler.h"
#include "core/action.h"
#include "core/errno_names.h"
#include "tests/support/random_program.h"

namespace sysfence::inspect {
using namespace sysfence::bpf;  // NOLINT: the test reads like the bpf code it disassembles
namespace {

Program Sample() {
  return {
      Stmt(opcode::kLdAbs, offset::kArch),
      Jump(op::kJmp | op::kJeq, 0xc000003e, 0, 7),
      Stmt(opcode::kLdAbs, offset::kNr),
      Jump(op::kJmp | op::kJge, 0x40000000, 5, 0),
      Jump(op::kJmp | op::kJeq, 59, 3, 0),
      Stmt(opcode::kLdAbs, offset::ArgHi(2)),
      Jump(op::kJmp | op::kJset, 0x80000000u, 1, 0),
      Stmt(opcode::kRetK, seccomp_ret::kAllow),
      Stmt(opcode::kRetK, seccomp_ret::kErrno | 1),
      Stmt(opcode::kRetK, seccomp_ret::kKillProcess),
  };
}

TEST(DisassemblerTest, NamesFieldsArchesSyscallsAndActions) {
  const std::string text = Disassemble(Sample());
  EXPECT_NE(text.find("  0: ld [arch]"), std::string::npos) << text;
  EXPECT_NE(text.find("  1: jeq #0xc000003e, 2, 9"), std::string::npos) << text;
  EXPECT_NE(text.find("; x86_64"), std::string::npos) << text;
  EXPECT_NE(text.find("  3: jge #0x40000000, 9, 4"), std::string::npos) << text;
  EXPECT_NE(text.find("; x32 syscall bit"), std::string::npos) << text;
  EXPECT_NE(text.find("  4: jeq #59, 8, 5"), std::string::npos) << text;
  EXPECT_NE(text.find("; execve"), std::string::npos) << text;
  EXPECT_EQ(text.find("execve (x86_64?)"), std::string::npos) << "arch was established: " << text;
  EXPECT_NE(text.find("ld [args[2].hi]"), std::string::npos) << text;
  EXPECT_NE(text.find("ret allow"), std::string::npos) << text;
  EXPECT_NE(text.find("ret errno(EPERM)"), std::string::npos) << text;
  EXPECT_NE(text.find("ret kill"), std::string::npos) << text;
}

TEST(DisassemblerTest, SyscallNamesFollowTheArchCheck) {
  // After `jeq #AUDIT_ARCH_I386`, 11 is execve on i386 (on x86_64 it is munmap).
  Program program = {Stmt(opcode::kLdAbs, offset::kArch), Jump(op::kJmp | op::kJeq, 0x40000003, 0, 3),
                     Stmt(opcode::kLdAbs, offset::kNr), Jump(op::kJmp | op::kJeq, 11, 0, 1),
                     Stmt(opcode::kRetK, 0), Stmt(opcode::kRetK, seccomp_ret::kAllow)};
  const std::string text = Disassemble(program);
  EXPECT_NE(text.find("; x86\n"), std::string::npos) << text;
  EXPECT_NE(text.find("; execve\n"), std::string::npos) << text;
  // Without an arch check the default (x86_64) is used and marked as assumed.
  const std::string bare = Disassemble({Stmt(opcode::kLdAbs, offset::kNr), Jump(op::kJmp | op::kJeq, 11, 0, 0),
                                        Stmt(opcode::kRetK, 0)});
  EXPECT_NE(bare.find("; munmap (x86_64?)"), std::string::npos) << bare;
}

TEST(DisassemblerTest, NonCanonicalEncodingsUseInsn) {
  Program program = {Instruction{opcode::kTax, 0, 0, 5}, Instruction{0x28, 0, 0, 0},
                     Instruction{opcode::kRetK, 1, 0, 0}};
  const std::string text = Disassemble(program, {.comments = false});
  EXPECT_NE(text.find("0: .insn 0x7, 0, 0, 0x5"), std::string::npos) << text;
  EXPECT_NE(text.find("1: .insn 0x28, 0, 0, 0x0"), std::string::npos) << text;
  EXPECT_NE(text.find("2: .insn 0x6, 1, 0, 0x0"), std::string::npos) << text;
  auto back = ParseAssembly(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, program);
}

TEST(DisassemblerTest, ReturnValuesThatAreNotPlainActions) {
  const std::string text = Disassemble({Stmt(opcode::kRetK, seccomp_ret::kErrno | 5000),
                                        Stmt(opcode::kRetK, seccomp_ret::kAllow | 1), Stmt(opcode::kRetK, 0x12340000)});
  EXPECT_NE(text.find("ret #0x51388"), std::string::npos) << text;
  EXPECT_NE(text.find("caps errno at 4095"), std::string::npos) << text;
  EXPECT_NE(text.find("ret #0x7fff0001"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown action"), std::string::npos) << text;
}

TEST(DisassemblerTest, EveryReturnValueRoundTrips) {
  // Every errno, every action with data, and odd values.
  Program program;
  for (uint32_t err = 0; err < 4080; ++err) program.push_back(Stmt(opcode::kRetK, seccomp_ret::kErrno | err));
  for (uint32_t err : {4095u, 4096u, 0xffffu}) program.push_back(Stmt(opcode::kRetK, seccomp_ret::kErrno | err));
  for (uint32_t ret : {0u, 0x80000000u, 0x7fff0000u, 0x7ffc0000u, 0x7fc00000u, 0x7ff00009u, 0x00030007u,
                       0x7fff0001u, 0xffffffffu, 0x00010000u}) {
    program.push_back(Stmt(opcode::kRetK, ret));
  }
  auto back = ParseAssembly(Disassemble(program));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, program);
}

TEST(DisassemblerTest, RoundTripsThroughTheAssemblerOnGeneratedPrograms) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 3000; ++i) {
    // Valid programs, and mutated ones (any encoding must survive the round trip).
    const Program program = i % 3 == 0 ? testsupport::RandomMutatedProgram(rng) : testsupport::RandomValidProgram(rng);
    const std::string text = Disassemble(program);
    auto back = ParseAssembly(text);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
    ASSERT_EQ(*back, program) << text;
  }
}

TEST(DisassemblerTest, UnreachableCodeIsMarked) {
  const std::string text = Disassemble({Stmt(opcode::kRetK, 0), Stmt(opcode::kRetK, 1)});
  EXPECT_NE(text.find("; unreachable"), std::string::npos) << text;
}

}  // namespace
}  // namespace sysfence::inspect
