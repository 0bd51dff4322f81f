// SPDX-License-Identifier: Apache-2.0
#include "bpf/raw_file.h"

#include <gtest/gtest.h>

#include "bpf/opcodes.h"
#include "core/action.h"

namespace sysfence::bpf {
namespace {

void ExpectRejected(const std::string& bytes, const std::string& words) {
  auto program = ParseRawBpf(bytes);
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.error().message.find(words), std::string::npos) << program.error().message;
  EXPECT_EQ(program.error().message.find('\n'), std::string::npos) << "one line";
}

TEST(RawFileTest, RoundTrip) {
  const Program program = {Stmt(opcode::kLdAbs, offset::kNr), Jump(op::kJmp | op::kJeq, 1, 0, 1),
                           Stmt(opcode::kRetK, seccomp_ret::kAllow), Stmt(opcode::kRetK, 0)};
  const std::string bytes = SerializeRawBpf(program);
  EXPECT_EQ(bytes.size(), 32u);
  // Host byte order, struct sock_filter layout: code (2), jt, jf, k (4).
  EXPECT_EQ(static_cast<unsigned char>(bytes[8]), 0x15);
  EXPECT_EQ(static_cast<unsigned char>(bytes[11]), 1);
  auto back = ParseRawBpf(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, program);
}

TEST(RawFileTest, BadFiles) {
  ExpectRejected("", "empty");
  ExpectRejected(std::string(12, '\0'), "not a multiple of 8");
  ExpectRejected(std::string(12, '\0'), "instruction 1 (byte offset 8)");
  ExpectRejected(SerializeRawBpf(Program(4097, Stmt(opcode::kRetK, 0))), "at most 4096");
  ExpectRejected(SerializeRawBpf({Stmt(opcode::kRetK, 0), Stmt(0x28, 0)}), "instruction 1 (byte offset 8): invalid opcode 0x28");
  ExpectRejected(SerializeRawBpf({Jump(op::kJmp | op::kJeq, 0, 9, 0), Stmt(opcode::kRetK, 0)}),
                 "instruction 0 (byte offset 0): jump out of range");
  ExpectRejected(SerializeRawBpf({Stmt(opcode::kRetK, 0), Stmt(opcode::kJa, 5), Stmt(opcode::kRetK, 0)}),
                 "instruction 1 (byte offset 8): jump out of range");
  EXPECT_EQ(ParseRawBpf(SerializeRawBpf(Program(4097, Stmt(opcode::kRetK, 0)))).error().code, ErrorCode::kLimit);
}

TEST(RawFileTest, LoadFileNamesThePath) {
  auto missing = LoadRawBpfFile("/nonexistent/sysfence.bpf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/sysfence.bpf"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::bpf
