// SPDX-License-Identifier: Apache-2.0
#include "bpf/text_assembler.h"

#include <gtest/gtest.h>

#include "bpf/opcodes.h"
#include "core/action.h"

namespace sysfence::bpf {
namespace {

TEST(TextAssemblerTest, HandWrittenProgramWithNamedLabels) {
  auto program = ParseAssembly(R"(
    ; allow getpid, deny the rest
            ld [arch]
            jeq #0xc000003e, check, kill
    check:  ld [nr]
            jeq #39, allow, deny      ; getpid
    allow:  ret allow
    deny:   ret errno(EPERM)
    kill:   ret kill
  )");
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_EQ(*program, (Program{Stmt(opcode::kLdAbs, 4), Jump(op::kJmp | op::kJeq, 0xc000003e, 0, 4),
                               Stmt(opcode::kLdAbs, 0), Jump(op::kJmp | op::kJeq, 39, 0, 1),
                               Stmt(opcode::kRetK, seccomp_ret::kAllow), Stmt(opcode::kRetK, seccomp_ret::kErrno | 1),
                               Stmt(opcode::kRetK, seccomp_ret::kKillProcess)}));
}

TEST(TextAssemblerTest, EveryMnemonic) {
  auto program = ParseAssembly(R"(
    ld #1
    ld [args[0].hi]
    ld [ip]
    ld [16]
    ld len
    ldx len
    ldx #0x10
    st M[1]
    stx M[2]
    ld M[1]
    ldx M[2]
    tax
    txa
    neg
    add #1
    sub x
    mul #2
    div #3
    and x
    or #4
    xor x
    lsh #5
    rsh x
    jset x, a, a
a:  ja b
b:  ret a
  )");
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_EQ(program->size(), 26u);
  EXPECT_EQ((*program)[1], Stmt(opcode::kLdAbs, 20));
  EXPECT_EQ((*program)[2], Stmt(opcode::kLdAbs, 8));
  EXPECT_EQ((*program)[15], Stmt(op::kAlu | op::kSub | op::kX));
  EXPECT_EQ((*program)[23], Jump(op::kJmp | op::kJset | op::kX, 0, 0, 0));
}

TEST(TextAssemblerTest, ActionsAsReturnValues) {
  auto program = ParseAssembly("ret trap(3)\nret trace\nret errno(13)\nret kill-thread\nret notify\nret log\n"
                               "ret kill-process\nret #0x7fff0000\n");
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_EQ((*program)[0].k, 0x00030003u);
  EXPECT_EQ((*program)[1].k, 0x7ff00000u);
  EXPECT_EQ((*program)[2].k, 0x0005000du);
  EXPECT_EQ((*program)[3].k, 0u);
  EXPECT_EQ((*program)[4].k, 0x7fc00000u);
  EXPECT_EQ((*program)[5].k, 0x7ffc0000u);
  EXPECT_EQ((*program)[6].k, 0x80000000u);
  EXPECT_EQ((*program)[7].k, 0x7fff0000u);
}

void ExpectError(std::string_view text, const std::string& words) {
  auto program = ParseAssembly(text);
  ASSERT_FALSE(program.ok()) << text;
  EXPECT_NE(program.error().message.find(words), std::string::npos) << program.error().message;
}

TEST(TextAssemblerTest, ErrorsNameTheLine) {
  ExpectError("ret #0\nlda #1\n", "line 2: unknown mnemonic 'lda'");
  ExpectError("ld [bogus]\nret a", "line 1: unknown seccomp_data field");
  ExpectError("ld #1, #2\nret a", "line 1: 'ld' takes 1 operand, got 2");
  ExpectError("ret errno(ENOTANERRNO)", "line 1: bad return value");
  ExpectError("ret #0x100000000", "line 1: bad return value");
  ExpectError("jeq #1, yes\nyes: ret a", "line 1: 'jeq' takes 3 operands");
  ExpectError("x: ret a\nx: ret a", "line 2: label 'x' defined twice");
  ExpectError("ja nowhere\nret a", "line 1: undefined label 'nowhere'");
  ExpectError("top: tax\njeq #1, top, top\nret a", "line 2: backward jump to label 'top'");
  ExpectError("; only a comment\n", "no instructions");
  ExpectError(".insn 0x6, 300, 0, 0", "line 1: '.insn' needs");
  ExpectError("st #1\nret a", "line 1: 'st' needs M[k]");
}

}  // namespace
}  // namespace sysfence::bpf
