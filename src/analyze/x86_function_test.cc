// SPDX-License-Identifier: Apache-2.0
// Constant propagation over one function, on machine code whose meaning the comments give (the
// bytes are decoded by Capstone, as in the analysis).
#include "analyze/x86_function.h"

#include <gtest/gtest.h>

#include <vector>

namespace sysfence::analyze {
namespace {

constexpr uint64_t kStart = 0x1000;

Function Analyze(const std::vector<uint8_t>& code, X86Context context = {}) {
  if (!context.slot) context.slot = [](uint64_t) { return SlotTarget{}; };
  if (!context.stub) context.stub = [](uint64_t) { return SlotTarget{}; };
  if (!context.is_code) context.is_code = [](uint64_t a) { return a >= kStart && a < kStart + 0x100; };
  auto decoder = X86Decoder::Create();
  EXPECT_TRUE(decoder.ok());
  return AnalyzeX86Function((*decoder)->DecodeRange(code, kStart), kStart, kStart + code.size(), context);
}

TEST(X86FunctionTest, ConstantBeforeSyscall) {
  // mov eax, 39 ; syscall ; ret
  const Function f = Analyze({0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  EXPECT_EQ(f.syscalls[0].address, kStart + 5);
  ASSERT_EQ(f.syscalls[0].number.count, 1);
  EXPECT_EQ(f.syscalls[0].number.constants[0], 39u);
  EXPECT_FALSE(f.syscalls[0].i386);
}

TEST(X86FunctionTest, NumberFromTheFirstArgumentMakesAWrapper) {
  // mov rax, rdi ; syscall ; ret
  const Function f = Analyze({0x48, 0x89, 0xf8, 0x0f, 0x05, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  EXPECT_EQ(f.syscalls[0].number.entry, kRdi);
  EXPECT_EQ(f.syscalls[0].number.count, 0);
}

TEST(X86FunctionTest, NumberLoadedFromMemoryIsUnknown) {
  // mov eax, [rdi] ; syscall ; ret
  const Function f = Analyze({0x8b, 0x07, 0x0f, 0x05, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  EXPECT_TRUE(f.syscalls[0].number.unknown);
}

TEST(X86FunctionTest, BothBranchesReachTheSite) {
  // test edi, edi ; je L1 ; mov eax, 0 ; jmp L2 ; L1: mov eax, 1 ; L2: syscall ; ret
  const Function f = Analyze({0x85, 0xff, 0x74, 0x07, 0xb8, 0, 0, 0, 0, 0xeb, 0x05, 0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  ASSERT_EQ(f.syscalls[0].number.count, 2);
  EXPECT_EQ(f.syscalls[0].number.constants[0], 0u);
  EXPECT_EQ(f.syscalls[0].number.constants[1], 1u);
}

TEST(X86FunctionTest, CallClobbersTheNumber) {
  // mov eax, 1 ; call +0 (next) ; syscall ; ret
  const Function f = Analyze({0xb8, 1, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  EXPECT_TRUE(f.syscalls[0].number.unknown);
}

TEST(X86FunctionTest, XorAndArithmeticKeepConstants) {
  // xor eax, eax ; add eax, 60 ; syscall ; ret
  const Function f = Analyze({0x31, 0xc0, 0x83, 0xc0, 0x3c, 0x0f, 0x05, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  ASSERT_EQ(f.syscalls[0].number.count, 1);
  EXPECT_EQ(f.syscalls[0].number.constants[0], 60u);
}

TEST(X86FunctionTest, Int80IsAnI386Site) {
  // mov eax, 1 ; int 0x80 ; ret
  const Function f = Analyze({0xb8, 1, 0, 0, 0, 0xcd, 0x80, 0xc3});
  ASSERT_EQ(f.syscalls.size(), 1u);
  EXPECT_TRUE(f.syscalls[0].i386);
  EXPECT_EQ(f.syscalls[0].number.constants[0], 1u);
}

TEST(X86FunctionTest, CallKeepsArgumentValuesAndTargets) {
  // mov edi, 39 ; call 0x2000 ; ret
  const Function f = Analyze({0xbf, 0x27, 0, 0, 0, 0xe8, 0xf6, 0x0f, 0, 0, 0xc3});
  ASSERT_EQ(f.calls.size(), 1u);
  EXPECT_EQ(f.calls[0].target, 0x2000u);
  const Value rdi = f.calls[0].Argument(kRdi);
  ASSERT_EQ(rdi.count, 1);
  EXPECT_EQ(rdi.constants[0], 39u);
  EXPECT_TRUE(f.calls[0].Argument(kRsi).unknown || f.calls[0].Argument(kRsi).entry == kRsi);
}

TEST(X86FunctionTest, CallThroughAGotSlotIsAnImportCall) {
  // call [rip + 0x100]
  X86Context context;
  context.slot = [](uint64_t slot) { return slot == kStart + 6 + 0x100 ? SlotTarget{7, 0} : SlotTarget{}; };
  const Function f = Analyze({0xff, 0x15, 0x00, 0x01, 0, 0, 0xc3}, context);
  ASSERT_EQ(f.calls.size(), 1u);
  EXPECT_EQ(f.calls[0].import, 7);
}

TEST(X86FunctionTest, LeaOfCodeTakesTheAddress) {
  // lea rax, [rip + 0x10] ; ret
  const Function f = Analyze({0x48, 0x8d, 0x05, 0x10, 0, 0, 0, 0xc3});
  ASSERT_EQ(f.references.size(), 1u);
  EXPECT_EQ(f.references[0], kStart + 7 + 0x10);
}

TEST(X86FunctionTest, FallingOffTheRangeContinuesInTheNextFunction) {
  // mov eax, 435 (the range ends here, before the syscall as in glibc's clone3)
  const Function f = Analyze({0xb8, 0xb3, 0x01, 0, 0});
  ASSERT_EQ(f.calls.size(), 1u);
  EXPECT_EQ(f.calls[0].target, kStart + 5);
  EXPECT_EQ(f.calls[0].Argument(kRax).constants[0], 435u);
}

TEST(ValueTest, JoinGrowsToUnknownPastTheLimit) {
  Value v = Value::Constant(1);
  for (uint64_t c = 2; c <= Value::kMaxConstants; ++c) EXPECT_TRUE(v.Join(Value::Constant(c)));
  EXPECT_FALSE(v.unknown);
  EXPECT_TRUE(v.Join(Value::Constant(100)));
  EXPECT_TRUE(v.unknown);
  Value e = Value::Entry(kRdi);
  EXPECT_TRUE(e.Join(Value::Entry(kRsi)));
  EXPECT_TRUE(e.unknown);
  Value bottom;
  EXPECT_FALSE(Value::Constant(3).IsBottom());
  EXPECT_TRUE(bottom.IsBottom());
}

}  // namespace
}  // namespace sysfence::analyze
