// SPDX-License-Identifier: Apache-2.0
#include "inspect/cache_analysis.h"

#include <gtest/gtest.h>

#include "bpf/opcodes.h"
#include "core/action.h"

namespace sysfence::inspect {
using namespace sysfence::bpf;  // NOLINT: the test builds bpf programs
namespace {

constexpr uint32_t kX86_64 = 0xc000003e;
constexpr uint32_t kI386 = 0x40000003;

// arch check, then allow read (0) and write (1) by number; errno for the rest.
Program NumberOnly() {
  return {Stmt(opcode::kLdAbs, offset::kArch),     Jump(op::kJmp | op::kJeq, kX86_64, 0, 5),
          Stmt(opcode::kLdAbs, offset::kNr),       Jump(op::kJmp | op::kJge, 2, 2, 0),
          Stmt(opcode::kRetK, seccomp_ret::kAllow), Stmt(opcode::kRetK, seccomp_ret::kAllow),
          Stmt(opcode::kRetK, seccomp_ret::kErrno | 1), Stmt(opcode::kRetK, seccomp_ret::kKillProcess)};
}

TEST(CacheAnalysisTest, ConstantAllowDecidedByNumberAndArch) {
  const Program program = NumberOnly();
  EXPECT_TRUE(IsConstantAllow(program, kX86_64, 0));
  EXPECT_TRUE(IsConstantAllow(program, kX86_64, 1));
  EXPECT_FALSE(IsConstantAllow(program, kX86_64, 2));  // errno: not an allow
  EXPECT_FALSE(IsConstantAllow(program, kI386, 0));    // other arch: kill
}

TEST(CacheAnalysisTest, ArgumentLoadsAreNotConstant) {
  // read is allowed only when fd == 0: the kernel must run the filter for read.
  Program program = {Stmt(opcode::kLdAbs, offset::kNr), Jump(op::kJmp | op::kJeq, 0, 0, 3),
                     Stmt(opcode::kLdAbs, offset::ArgLo(0)), Jump(op::kJmp | op::kJeq, 0, 1, 0),
                     Stmt(opcode::kRetK, seccomp_ret::kAllow), Stmt(opcode::kRetK, seccomp_ret::kErrno | 1)};
  EXPECT_FALSE(IsConstantAllow(program, kX86_64, 0));
  // Other numbers skip the argument load and are denied, so not allowed either.
  EXPECT_FALSE(IsConstantAllow(program, kX86_64, 1));
}

TEST(CacheAnalysisTest, OnlyTheKernelsInstructionSubsetCounts) {
  // and #k and ja are understood.
  EXPECT_TRUE(IsConstantAllow({Stmt(opcode::kLdAbs, offset::kNr), Stmt(op::kAlu | op::kAnd, 0xff),
                               Jump(op::kJmp | op::kJeq, 1, 0, 1), Stmt(opcode::kJa, 1),
                               Stmt(opcode::kRetK, 0), Stmt(opcode::kRetK, seccomp_ret::kAllow)},
                              kX86_64, 0x101));
  // ret a, ld #k, tax, jeq x, other ALU ops: the kernel gives up even when the result is allow.
  EXPECT_FALSE(IsConstantAllow({Stmt(opcode::kLdImm, seccomp_ret::kAllow), Stmt(opcode::kRetA)}, kX86_64, 0));
  EXPECT_FALSE(IsConstantAllow({Stmt(opcode::kTax), Stmt(opcode::kRetK, seccomp_ret::kAllow)}, kX86_64, 0));
  EXPECT_FALSE(IsConstantAllow({Stmt(opcode::kLdAbs, offset::kNr), Stmt(op::kAlu | op::kOr, 0),
                                Stmt(opcode::kRetK, seccomp_ret::kAllow)},
                               kX86_64, 0));
  EXPECT_FALSE(IsConstantAllow({Jump(op::kJmp | op::kJeq | op::kX, 0, 0, 0), Stmt(opcode::kRetK, seccomp_ret::kAllow)},
                               kX86_64, 0));
  // Allow with data is not SECCOMP_RET_ALLOW to the cache; log is not allow.
  EXPECT_FALSE(IsConstantAllow({Stmt(opcode::kRetK, seccomp_ret::kAllow | 1)}, kX86_64, 0));
  EXPECT_FALSE(IsConstantAllow({Stmt(opcode::kRetK, seccomp_ret::kLog)}, kX86_64, 0));
  EXPECT_TRUE(IsConstantAllow({Stmt(opcode::kRetK, seccomp_ret::kAllow)}, kX86_64, 12345));
}

TEST(CacheAnalysisTest, ReportPerArch) {
  const CacheReport x86_64 = AnalyzeCache(NumberOnly(), Arch::kX86_64, 400);
  ASSERT_TRUE(x86_64.cached_by_kernel);
  ASSERT_EQ(x86_64.entries.size(), 400u);
  EXPECT_TRUE(x86_64.entries[0].skipped);
  EXPECT_TRUE(x86_64.entries[1].skipped);
  EXPECT_FALSE(x86_64.entries[2].skipped);
  // The kernel's uprobe exception: 335 and 336 skip every filter on x86_64.
  EXPECT_TRUE(x86_64.entries[335].skipped);
  EXPECT_TRUE(x86_64.entries[335].kernel_exception);
  EXPECT_TRUE(x86_64.entries[336].kernel_exception);
  EXPECT_EQ(x86_64.skipped_count, 4u);
  const CacheReport i386 = AnalyzeCache(NumberOnly(), Arch::kX86, 400);
  EXPECT_EQ(i386.skipped_count, 0u);
  EXPECT_FALSE(IsKernelFilterException(Arch::kX86, 335));
  // x32 numbers are past the kernel's bitmap: never cached.
  EXPECT_FALSE(AnalyzeCache(NumberOnly(), Arch::kX32).cached_by_kernel);
  EXPECT_GT(CacheBitmapSize(Arch::kX86_64), 400u);
  EXPECT_EQ(CachedArches(Arch::kX86_64), (std::vector<Arch>{Arch::kX86_64, Arch::kX86}));
}

}  // namespace
}  // namespace sysfence::inspect
