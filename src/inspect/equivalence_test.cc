// SPDX-License-Identifier: Apache-2.0
#include "inspect/equivalence.h"

#include <gtest/gtest.h>

#include <random>

#include "bpf/text_assembler.h"
#include "codegen/compile.h"
#include "tests/support/random_program.h"

namespace sysfence::inspect {
namespace {

bpf::Program Assemble(std::string_view text) {
  auto program = bpf::ParseAssembly(text);
  EXPECT_TRUE(program.ok()) << program.error().message;
  return program.ok() ? *program : bpf::Program{};
}

TEST(EquivalenceTest, DifferentShapesSameDecisionsAreEquivalent) {
  // nr < 10 allowed, written as one jge and as a chain of jgt.
  const bpf::Program one = Assemble("ld [nr]\njge #10, d, a\nd: ret errno(EPERM)\na: ret allow\n");
  const bpf::Program two = Assemble(
      "ld [nr]\njgt #4, hi, a\nhi: jgt #9, d, a2\na2: ret allow\nd: ret errno(EPERM)\na: ret allow\n");
  auto report = CheckEquivalence({one}, {two});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->Equivalent());
  EXPECT_GE(report->regions, 3u);
}

TEST(EquivalenceTest, FindsTheOneValueThatDiffers) {
  const bpf::Program one = Assemble("ld [args[1].hi]\njeq #0, lo, d\nlo: ld [args[1].lo]\njeq #0x5412, d, a\nd: ret kill\na: ret allow\n");
  const bpf::Program two = Assemble("ld [args[1].lo]\njeq #0x5412, d, a\nd: ret kill\na: ret allow\n");
  auto report = CheckEquivalence({one}, {two});
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_FALSE(report->Equivalent());
  // Where they differ: high word not 0 and low word not 0x5412 (one kills, two allows).
  for (const Difference& difference : report->differences) {
    EXPECT_NE(difference.witness.args[1] >> 32, 0u);
    EXPECT_NE(static_cast<uint32_t>(difference.witness.args[1]), 0x5412u);
    EXPECT_EQ(difference.LeftAction(), Action::KillProcess());
    EXPECT_EQ(difference.RightAction(), Action::Allow());
  }
}

TEST(EquivalenceTest, ErrnoAboveTheCapEqualsTheCap) {
  const bpf::Program one = Assemble("ret #0x50fff\n");
  const bpf::Program two = Assemble("ret #0x5ffff\n");
  auto report = CheckEquivalence({one}, {two});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->Equivalent());
}

TEST(EquivalenceTest, AStackAgainstOneFilter) {
  const bpf::Program deny_read = Assemble("ld [nr]\njeq #0, d, a\nd: ret errno(EPERM)\na: ret allow\n");
  const bpf::Program deny_write = Assemble("ld [nr]\njeq #1, d, a\nd: ret errno(EPERM)\na: ret allow\n");
  const bpf::Program both = Assemble("ld [nr]\njgt #1, a, d\nd: ret errno(EPERM)\na: ret allow\n");
  auto report = CheckEquivalence({deny_read, deny_write}, {both});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->Equivalent());
}

// Property: on random pairs, the verdict agrees with random sampling (no sampled input differs when
// equivalent) and every reported difference really differs.
TEST(EquivalenceTest, VerdictsAgreeWithTheEvaluatorOnRandomPairs) {
  std::mt19937_64 rng(99);
  const std::vector<uint32_t> interesting = {0, 1, 5, 0xc000003e, 0xffffffff};
  testsupport::RandomProgramOptions options;
  options.interesting = interesting;
  options.max_length = 16;
  int compared = 0, equivalent = 0;
  for (int round = 0; round < 600; ++round) {
    const bpf::Program a = testsupport::RandomValidProgram(rng, options);
    const bpf::Program b = round % 3 == 0 ? a : testsupport::RandomValidProgram(rng, options);
    auto report = CheckEquivalence({a}, {b});
    if (!report.ok()) {
      ASSERT_EQ(report.error().code, ErrorCode::kUnsupported) << report.error().message;
      continue;
    }
    ++compared;
    for (const Difference& d : report->differences) {
      auto left = EvaluateStack({a}, d.witness), right = EvaluateStack({b}, d.witness);
      ASSERT_TRUE(left.ok() && right.ok());
      ASSERT_NE(Action::FromSeccompRet(left->value), Action::FromSeccompRet(right->value));
    }
    if (!report->Equivalent()) continue;
    ++equivalent;
    for (int i = 0; i < 200; ++i) {
      bpf::SeccompData data;
      data.nr = static_cast<int32_t>(testsupport::RandomWord(rng, interesting));
      data.arch = testsupport::RandomWord(rng, interesting);
      for (uint64_t& arg : data.args) arg = (uint64_t{testsupport::RandomWord(rng, interesting)} << 32) | testsupport::RandomWord(rng, interesting);
      auto left = EvaluateStack({a}, data), right = EvaluateStack({b}, data);
      ASSERT_TRUE(left.ok() && right.ok());
      ASSERT_EQ(Action::FromSeccompRet(left->value), Action::FromSeccompRet(right->value));
    }
  }
  EXPECT_GT(compared, 150);
  EXPECT_GT(equivalent, 100);
}

}  // namespace
}  // namespace sysfence::inspect
