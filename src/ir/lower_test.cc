// SPDX-License-Identifier: Apache-2.0
// Lowering of single comparisons, checked exhaustively over boundary values against the model's
// own ComparisonHolds (policy.h), for every argument width (16, 32, 64).
#include "ir/lower.h"

#include <gtest/gtest.h>

#include <vector>

#include "ir/evaluate.h"

namespace sysfence::ir {
namespace {

using policy::CompareOp;
using policy::Comparison;

// Interesting 64-bit values: both halves at and around 0, 1, 0x7fffffff, 0x80000000, 0xffffffff,
// and the 16-bit boundaries (0x7fff, 0x8000, 0xffff, 0x10000, 0x109ed = 04755 | 1 << 16).
std::vector<uint64_t> BoundaryValues() {
  const uint32_t words[] = {0,           1,           2,           0x7fffffffu, 0x80000000u, 0x80000001u,
                            0xfffffffeu, 0xffffffffu, 0x7fffu,     0x8000u,     0xffffu,     0x10000u,
                            0x109edu};
  std::vector<uint64_t> values;
  for (uint32_t hi : words) {
    for (uint32_t lo : words) values.push_back(uint64_t{hi} << 32 | lo);
  }
  return values;
}

bool RunDag(const std::vector<Node>& nodes, NodeId id, uint64_t arg, int index) {
  SeccompData data;
  data.args[index] = arg;
  while (!nodes[id].is_leaf) id = TestHolds(nodes[id].test, data) ? nodes[id].if_true : nodes[id].if_false;
  return nodes[id].outcome.action == Action::Allow();
}

class LowerComparisonTest : public ::testing::TestWithParam<int> {};

TEST_P(LowerComparisonTest, AgreesWithTheModelOnEveryBoundaryPair) {
  const int width = GetParam();
  const std::vector<uint64_t> values = BoundaryValues();
  const CompareOp ops[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,
                           CompareOp::kGt, CompareOp::kGe, CompareOp::kMaskedEq};
  const uint64_t masks[] = {~uint64_t{0}, 0, 0xffffffffu, 0xffffffff00000000ull, 0x8000000000000001ull,
                            0x00000000000000f0ull, 0x0000000100000000ull, 0x1f000ull, 0xffffull};
  size_t checked = 0;
  for (CompareOp op : ops) {
    for (uint64_t value : values) {
      for (uint64_t mask : masks) {
        if (op != CompareOp::kMaskedEq && mask != ~uint64_t{0}) continue;
        std::vector<Node> nodes;
        NodeBuilder builder(nodes);
        const NodeId yes = builder.Leaf({Action::Allow(), policy::DecidedBy::kRule, 0});
        const NodeId no = builder.Leaf({Action::Errno(1), policy::DecidedBy::kDefault, -1});
        const Comparison c{3, op, value, mask};
        const NodeId root = LowerComparison(builder, c, width, yes, no);
        for (uint64_t arg : values) {
          ASSERT_EQ(RunDag(nodes, root, arg, 3), policy::ComparisonHolds(c, arg, width))
              << "width " << width << " op " << static_cast<int>(op) << " value 0x" << std::hex << value
              << " mask 0x" << mask << " arg 0x" << arg;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 20000u);
}

INSTANTIATE_TEST_SUITE_P(Widths, LowerComparisonTest, ::testing::Values(16, 32, 64));

class LowerFixture : public ::testing::Test {
 protected:
  std::vector<Node> nodes_;
  NodeBuilder builder_{nodes_};
  NodeId yes_ = builder_.Leaf({Action::Allow(), policy::DecidedBy::kRule, 0});
  NodeId no_ = builder_.Leaf({Action::Errno(1), policy::DecidedBy::kDefault, -1});
};

TEST_F(LowerFixture, ThirtyTwoBitArgumentsTestOnlyTheLowWord) {
  const NodeId root = LowerComparison(builder_, {1, CompareOp::kEq, 0x5412}, 32, yes_, no_);
  ASSERT_FALSE(nodes_[root].is_leaf);
  EXPECT_EQ(nodes_[root].test.half, Half::kLow);
  EXPECT_EQ(nodes_[nodes_[root].if_true].outcome.action, Action::Allow());  // no high-word test follows
  // TIOCSTI with a bit above 32 still matches: the kernel ignores the high half.
  EXPECT_TRUE(RunDag(nodes_, root, (uint64_t{1} << 32) | 0x5412, 1));
}

TEST_F(LowerFixture, SignExtendedNegativeOnThirtyTwoBitArgumentMeansLowWord) {
  const NodeId root = LowerComparison(builder_, {0, CompareOp::kEq, ~uint64_t{0}}, 32, yes_, no_);
  EXPECT_TRUE(RunDag(nodes_, root, 0xffffffffu, 0));
  EXPECT_TRUE(RunDag(nodes_, root, ~uint64_t{0}, 0));
  EXPECT_FALSE(RunDag(nodes_, root, 0xfffffffeu, 0));
}

TEST_F(LowerFixture, ConstantsBeyondThirtyTwoBitsFold) {
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kEq, uint64_t{1} << 32}, 32, yes_, no_), no_);
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kNe, uint64_t{1} << 32}, 32, yes_, no_), yes_);
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kLt, uint64_t{1} << 32}, 32, yes_, no_), yes_);
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kLe, 0xffffffffu}, 32, yes_, no_), yes_);
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kGt, 0xffffffffu}, 32, yes_, no_), no_);
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kGe, 0}, 64, yes_, no_), yes_);
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kLt, 0}, 64, yes_, no_), no_);
}

TEST_F(LowerFixture, SixtyFourBitOrderTestsTheHighWordFirst) {
  const NodeId root = LowerComparison(builder_, {2, CompareOp::kGt, 0x0000000500000007ull}, 64, yes_, no_);
  ASSERT_FALSE(nodes_[root].is_leaf);
  EXPECT_EQ(nodes_[root].test.half, Half::kHigh);
  EXPECT_EQ(nodes_[root].test.op, WordOp::kGt);
  // The low word alone never decides: 6:0 > 5:7 although 0 < 7.
  EXPECT_TRUE(RunDag(nodes_, root, 0x0000000600000000ull, 2));
  EXPECT_FALSE(RunDag(nodes_, root, 0x0000000400000009ull, 2));
}

TEST_F(LowerFixture, MaskedEqualityUsesTheCheapestTest) {
  // Single bit: JSET, no AND.
  NodeId root = LowerComparison(builder_, {0, CompareOp::kMaskedEq, 0x10, 0x10}, 32, yes_, no_);
  EXPECT_EQ(nodes_[root].test.op, WordOp::kSet);
  // Value 0: JSET with the answers swapped.
  root = LowerComparison(builder_, {0, CompareOp::kMaskedEq, 0, 0x7e020000}, 32, yes_, no_);
  EXPECT_EQ(nodes_[root].test.op, WordOp::kSet);
  EXPECT_EQ(nodes_[root].if_true, no_);
  // General: a masked JEQ.
  root = LowerComparison(builder_, {0, CompareOp::kMaskedEq, 0x3, 0xf}, 32, yes_, no_);
  EXPECT_EQ(nodes_[root].test.op, WordOp::kEq);
  EXPECT_EQ(nodes_[root].test.mask, 0xfu);
  // A value with bits outside the mask never matches.
  EXPECT_EQ(LowerComparison(builder_, {0, CompareOp::kMaskedEq, 0x10, 0x0f}, 64, yes_, no_), no_);
}

TEST_F(LowerFixture, ConditionsShareTheirSuccessors) {
  using Kind = policy::Condition::Kind;
  auto compare = [](int arg, uint64_t v) {
    policy::Condition c;
    c.compare = {arg, CompareOp::kEq, v};
    return c;
  };
  policy::Condition any;
  any.kind = Kind::kOr;
  for (uint64_t v = 0; v < 20; ++v) any.children.push_back(compare(0, v));
  policy::Condition both;
  both.kind = Kind::kAnd;
  both.children = {any, compare(1, 7)};
  policy::Condition negated;
  negated.kind = Kind::kNot;
  negated.children = {both};
  const ArgWidths widths = {32, 32, 32, 32, 32, 32};
  const size_t before = nodes_.size();
  const NodeId root = LowerCondition(builder_, negated, widths, yes_, no_);
  EXPECT_EQ(nodes_.size() - before, 21u);  // one test per comparison: linear, not exponential
  for (uint64_t a0 = 0; a0 < 25; ++a0) {
    for (uint64_t a1 : {6u, 7u}) {
      SeccompData data;
      data.args[0] = a0;
      data.args[1] = a1;
      NodeId id = root;
      while (!nodes_[id].is_leaf) id = TestHolds(nodes_[id].test, data) ? nodes_[id].if_true : nodes_[id].if_false;
      EXPECT_EQ(id == yes_, !(a0 < 20 && a1 == 7)) << a0 << " " << a1;
    }
  }
}

TEST(ValidateConditionTest, RejectsMalformedConditions) {
  policy::Condition bad_arg;
  bad_arg.compare.arg = 6;
  EXPECT_EQ(ValidateCondition(bad_arg).error().code, ErrorCode::kInvalidInput);
  policy::Condition lonely_and;
  lonely_and.kind = policy::Condition::Kind::kAnd;
  lonely_and.children.resize(1);
  EXPECT_FALSE(ValidateCondition(lonely_and).ok());
  policy::Condition not_two;
  not_two.kind = policy::Condition::Kind::kNot;
  not_two.children.resize(2);
  EXPECT_FALSE(ValidateCondition(not_two).ok());
  policy::Condition deep;
  for (int i = 0; i < 300; ++i) {
    policy::Condition wrap;
    wrap.kind = policy::Condition::Kind::kNot;
    wrap.children.push_back(deep);
    deep = std::move(wrap);
  }
  EXPECT_EQ(ValidateCondition(deep).error().code, ErrorCode::kLimit);
  policy::Condition fine;
  fine.compare.arg = 5;
  EXPECT_TRUE(ValidateCondition(fine).ok());
}

}  // namespace
}  // namespace sysfence::ir
