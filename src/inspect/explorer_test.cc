// SPDX-License-Identifier: Apache-2.0
#include "inspect/explorer.h"

#include <gtest/gtest.h>

#include <random>

#include "bpf/text_assembler.h"
#include "bpf/verifier.h"
#include "core/action.h"
#include "tests/support/random_program.h"

namespace sysfence::inspect {
namespace {

bpf::Program Assemble(std::string_view text) {
  auto program = bpf::ParseAssembly(text);
  EXPECT_TRUE(program.ok()) << program.error().message;
  return program.ok() ? *program : bpf::Program{};
}

struct Leaf {
  Region region;
  StackOutcome outcome;
};

std::vector<Leaf> Leaves(const FilterStack& stack, ExploreOptions options = {}) {
  std::vector<Leaf> leaves;
  auto explored = Explore(stack, Region{}, [&](const Region& r, const StackOutcome& o) {
    leaves.push_back({r, o});
    return true;
  }, options);
  EXPECT_TRUE(explored.ok()) << explored.error().message;
  return leaves;
}

TEST(ExplorerTest, SplitsOnlyWhereTheProgramDecides) {
  const bpf::Program program = Assemble(R"(
      ld [arch]
      jeq #0xc000003e, ok, bad
    ok:
      ld [nr]
      jge #100, big, small
    big:
      ret errno(EPERM)
    small:
      ld [args[0].lo]
      and #0xf0
      jeq #0x10, yes, no
    yes:
      ret allow
    no:
      ret kill
    bad:
      ret kill
  )");
  const std::vector<Leaf> leaves = Leaves({program});
  ASSERT_EQ(leaves.size(), 4u);
  for (const Leaf& leaf : leaves) {
    auto data = leaf.region.Witness();
    ASSERT_TRUE(data.has_value());
    auto evaluated = EvaluateStack({program}, *data);
    ASSERT_TRUE(evaluated.ok());
    EXPECT_EQ(evaluated->value, leaf.outcome.value);
  }
  // The allow leaf knows the masked bits of args[0].lo.
  bool found_allow = false;
  for (const Leaf& leaf : leaves) {
    if (leaf.outcome.value != seccomp_ret::kAllow) continue;
    found_allow = true;
    EXPECT_EQ(leaf.region.words[word::ArgLo(0)].fixed_mask, 0xf0u);
    EXPECT_EQ(leaf.region.words[word::ArgLo(0)].fixed_bits, 0x10u);
    EXPECT_EQ(leaf.region.words[word::kNr].max, 99u);
  }
  EXPECT_TRUE(found_allow);
}

TEST(ExplorerTest, FollowsValuesThroughScratchMemoryAndX) {
  const bpf::Program program = Assemble(R"(
      ld [args[2].lo]
      st M[3]
      ld #7
      ldx M[3]
      txa
      jeq #5, five, other
    five:
      ret errno(EACCES)
    other:
      ret allow
  )");
  const std::vector<Leaf> leaves = Leaves({program});
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].region.words[word::ArgLo(2)].min, 5u);
}

TEST(ExplorerTest, ArithmeticOnAWordIsNamedWhenCompared) {
  const bpf::Program program = Assemble("ld [nr]\nadd #1\njeq #60, k, a\nk: ret kill\na: ret allow\n");
  auto explored = Explore({program}, Region{}, [](const Region&, const StackOutcome&) { return true; });
  ASSERT_FALSE(explored.ok());
  EXPECT_EQ(explored.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(explored.error().message.find("instruction 2"), std::string::npos) << explored.error().message;
  EXPECT_NE(explored.error().message.find("computed at instruction 1 (add #1)"), std::string::npos)
      << explored.error().message;
}

TEST(ExplorerTest, StackedFiltersTakeTheMostRestrictiveAndNameTheDecider) {
  const bpf::Program allow_all = Assemble("ret allow\n");
  const bpf::Program deny_read = Assemble("ld [nr]\njeq #0, d, a\nd: ret errno(EPERM)\na: ret log\n");
  const std::vector<Leaf> leaves = Leaves({deny_read, allow_all});
  ASSERT_EQ(leaves.size(), 2u);
  for (const Leaf& leaf : leaves) {
    if (leaf.region.words[word::kNr].Admits(0)) {
      EXPECT_EQ(Action::FromSeccompRet(leaf.outcome.value), Action::Errno(1));
      EXPECT_EQ(leaf.outcome.deciding_filter, 0u);
    } else {
      EXPECT_EQ(Action::FromSeccompRet(leaf.outcome.value), Action::Log());
      EXPECT_EQ(leaf.outcome.deciding_filter, 0u);
    }
  }
  // Equal precedence: the newest filter's value wins.
  const bpf::Program errno_two = Assemble("ret errno(ENOENT)\n");
  const bpf::Program errno_one = Assemble("ret errno(EPERM)\n");
  const std::vector<Leaf> tie = Leaves({errno_two, errno_one});
  ASSERT_EQ(tie.size(), 1u);
  EXPECT_EQ(tie[0].outcome.deciding_filter, 1u);
  EXPECT_EQ(Action::FromSeccompRet(tie[0].outcome.value), Action::Errno(1));
}

TEST(ExplorerTest, ReachedMarksOnlyFeasiblePaths) {
  const bpf::Program program = Assemble("ld [nr]\njgt #10, a, b\na: jgt #5, c, d\nc: ret allow\nd: ret kill\nb: ret log\n");
  std::vector<std::vector<bool>> reached;
  ExploreOptions options;
  options.reached = &reached;
  Leaves({program}, options);
  ASSERT_EQ(reached.size(), 1u);
  EXPECT_TRUE(reached[0][3]);
  EXPECT_FALSE(reached[0][4]);  // nr > 10 && nr <= 5 is empty
}

// Property: on random valid programs, the explorer either names what it cannot follow or partitions
// the input space: every random input lies in exactly one leaf, whose outcome the evaluator confirms.
TEST(ExplorerTest, LeavesPartitionTheInputsOnRandomPrograms) {
  std::mt19937_64 rng(1234);
  const std::vector<uint32_t> interesting = {0, 1, 2, 59, 0xc000003e, 0x40000000, 0xffffffff};
  testsupport::RandomProgramOptions options;
  options.interesting = interesting;
  int explored = 0;
  for (int round = 0; round < 400; ++round) {
    const bpf::Program program = testsupport::RandomValidProgram(rng, options);
    std::vector<Leaf> leaves;
    auto result = Explore({program}, Region{}, [&](const Region& r, const StackOutcome& o) {
      leaves.push_back({r, o});
      return true;
    });
    if (!result.ok()) {
      ASSERT_EQ(result.error().code, ErrorCode::kUnsupported) << result.error().message;
      continue;
    }
    ++explored;
    for (int i = 0; i < 50; ++i) {
      bpf::SeccompData data;
      data.nr = static_cast<int32_t>(testsupport::RandomWord(rng, interesting));
      data.arch = testsupport::RandomWord(rng, interesting);
      data.instruction_pointer = (uint64_t{testsupport::RandomWord(rng, interesting)} << 32) | testsupport::RandomWord(rng, interesting);
      for (uint64_t& arg : data.args) {
        arg = (uint64_t{testsupport::RandomWord(rng, interesting)} << 32) | testsupport::RandomWord(rng, interesting);
      }
      int inside = 0;
      uint32_t value = 0;
      for (const Leaf& leaf : leaves) {
        if (leaf.region.Admits(data)) ++inside, value = leaf.outcome.value;
      }
      ASSERT_EQ(inside, 1);
      auto evaluated = EvaluateStack({program}, data);
      ASSERT_TRUE(evaluated.ok());
      ASSERT_EQ(evaluated->value, value);
    }
  }
  EXPECT_GT(explored, 100);
}

}  // namespace
}  // namespace sysfence::inspect
