// SPDX-License-Identifier: Apache-2.0
// The order in which libseccomp tries several argument rules of one syscall, as the importers
// reproduce it; LibseccompAgrees checks the cases against libseccomp's own filter (the cases come
// from src/formats/libseccomp_differential_test.cc's profiles).
#include "formats/seccomp_order.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <vector>

#include "bpf/evaluator.h"
#include "formats/runc_reference_for_test.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;

Comparison Cmp(int arg, CompareOp op, uint64_t value) { return Comparison{arg, op, value}; }

Comparison Masked(int arg, uint64_t mask, uint64_t value) {
  Comparison c{arg, CompareOp::kMaskedEq, value & mask};
  c.mask = mask;
  return c;
}

// Sorts chains given in the order they were added; returns their rule indexes in libseccomp's order.
std::vector<int> Order(std::vector<std::vector<Comparison>> added) {
  std::vector<SeccompChain> chains;
  for (size_t i = 0; i < added.size(); ++i) chains.push_back({added[i], Action::Allow(), static_cast<int>(i)});
  SortLikeLibseccomp(chains);
  std::vector<int> order;
  for (const SeccompChain& chain : chains) order.push_back(chain.rule_index);
  return order;
}

const char* OpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "SCMP_CMP_EQ";
    case CompareOp::kNe: return "SCMP_CMP_NE";
    case CompareOp::kLt: return "SCMP_CMP_LT";
    case CompareOp::kLe: return "SCMP_CMP_LE";
    case CompareOp::kGt: return "SCMP_CMP_GT";
    case CompareOp::kGe: return "SCMP_CMP_GE";
    case CompareOp::kMaskedEq: return "SCMP_CMP_MASKED_EQ";
  }
  return "";
}

// Which of the chains (added in this order, rule i with errno i + 1) decides mremap(args) in the
// filter libseccomp builds the way runc does; -1 when none does or libseccomp refuses.
int RuncPicks(const std::vector<std::vector<Comparison>>& added, std::vector<uint64_t> args) {
  nlohmann::json profile;
  profile["defaultAction"] = "SCMP_ACT_ALLOW";
  for (size_t i = 0; i < added.size(); ++i) {
    nlohmann::json rule;
    rule["names"] = {"mremap"};
    rule["action"] = "SCMP_ACT_ERRNO";
    rule["errnoRet"] = i + 1;
    for (const Comparison& c : added[i]) {
      nlohmann::json arg;
      arg["index"] = c.arg;
      arg["op"] = OpName(c.op);
      arg["value"] = c.op == CompareOp::kMaskedEq ? c.mask : c.value;
      if (c.op == CompareOp::kMaskedEq) arg["valueTwo"] = c.value;
      rule["args"].push_back(arg);
    }
    profile["syscalls"].push_back(rule);
  }
  const std::optional<bpf::Program> program = testing::RuncFilter(profile);
  if (!program) return -1;
  SeccompData data;
  data.arch = 0xC000003Eu;
  data.nr = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "mremap"));
  for (size_t i = 0; i < args.size(); ++i) data.args[i] = args[i];
  auto run = bpf::Evaluate(*program, data);
  if (!run.ok() || run->action.kind != ActionKind::kErrno) return -1;
  return static_cast<int>(run->action.data) - 1;
}

TEST(SeccompOrder, HigherArgumentFirst) {
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kEq, 0)}, {Cmp(1, CompareOp::kEq, 0)}}), (std::vector<int>{1, 0}));
  EXPECT_EQ(Order({{Cmp(1, CompareOp::kEq, 0)}, {Cmp(0, CompareOp::kEq, 0)}}), (std::vector<int>{0, 1}));
}

TEST(SeccompOrder, EqualityBeforeLessBeforeGreater) {
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kGt, 3)}, {Cmp(0, CompareOp::kLe, 9)}, {Cmp(0, CompareOp::kNe, 5)}}),
            (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kGe, 3)}, {Masked(0, 0xf, 1)}, {Cmp(0, CompareOp::kLt, 9)}}),
            (std::vector<int>{1, 2, 0}));
}

TEST(SeccompOrder, LargerValueFirstExceptForLess) {
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kGt, 3)}, {Cmp(0, CompareOp::kGt, 8)}}), (std::vector<int>{1, 0}));
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kEq, 3)}, {Cmp(0, CompareOp::kEq, 8)}}), (std::vector<int>{1, 0}));
  // < and <=: the smaller value is the more specific one and comes first.
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kLt, 8)}, {Cmp(0, CompareOp::kLt, 3)}}), (std::vector<int>{1, 0}));
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kLe, 3)}, {Cmp(0, CompareOp::kLe, 8)}}), (std::vector<int>{0, 1}));
}

TEST(SeccompOrder, EqualKeysKeepTheOrderAdded) {
  // Same argument, operator class and high word, but different nodes (masks differ): no order
  // between them, so the rule added first is tried first, whichever it is.
  const std::vector<Comparison> masked = {Masked(2, 0xffffffff, 1)};
  const std::vector<Comparison> not_five = {Cmp(2, CompareOp::kNe, 5)};
  EXPECT_EQ(Order({masked, not_five}), (std::vector<int>{0, 1}));
  EXPECT_EQ(Order({not_five, masked}), (std::vector<int>{0, 1}));
}

TEST(SeccompOrder, ValuesCompareWordByWord) {
  // libseccomp compares the high words first: 0x100000000 (high word 1) before 0xffffffff.
  EXPECT_EQ(Order({{Cmp(0, CompareOp::kEq, 0xffffffff)}, {Cmp(0, CompareOp::kEq, uint64_t{1} << 32)}}),
            (std::vector<int>{1, 0}));
  // A masked comparison whose mask clears the high word has the high word 0, as == 5 has: their
  // values (1 and 5) do not order them, the order added does.
  EXPECT_EQ(Order({{Masked(0, 0xffffffff, 1)}, {Cmp(0, CompareOp::kEq, 5)}}), (std::vector<int>{0, 1}));
}

TEST(SeccompOrder, NodesWithOtherMasksAreNotShared) {
  // (start & 0xf0) == 0x10 shares no node with (start & 0xff) == 0x10, so it goes after that
  // rule's whole subtree instead of ending at its node (before the rest of the longer rule).
  const std::vector<Comparison> longer = {Masked(0, 0xff, 0x10), Cmp(1, CompareOp::kEq, 5)};
  const std::vector<Comparison> other_mask = {Masked(0, 0xf0, 0x10)};
  EXPECT_EQ(Order({longer, other_mask}), (std::vector<int>{0, 1}));
}

TEST(SeccompOrder, RuleSharingANodeTakesItsPlace) {
  // `old_len <= 0x7fffffff` and `old_len > 5` share their first node (high word > 0); the node
  // keeps the place of the rule that created it (<=, before >), so `> 5` comes before
  // `old_len > 0x100000003 && new_len <= 8` although on its own it would sort after it.
  const std::vector<Comparison> log = {Cmp(1, CompareOp::kGt, 0x100000003), Cmp(2, CompareOp::kLe, 8)};
  const std::vector<Comparison> at_most = {Cmp(1, CompareOp::kLe, 0x7fffffff)};
  const std::vector<Comparison> above_five = {Cmp(1, CompareOp::kGt, 5)};
  EXPECT_EQ(Order({log, at_most, above_five}), (std::vector<int>{1, 2, 0}));
}

TEST(SeccompOrder, PrefixFirst) {
  const std::vector<Comparison> both = {Cmp(0, CompareOp::kEq, 1), Cmp(1, CompareOp::kEq, 2)};
  const std::vector<Comparison> first = {Cmp(0, CompareOp::kEq, 1)};
  EXPECT_EQ(Order({both, first}), (std::vector<int>{1, 0}));
  EXPECT_EQ(Order({first, both}), (std::vector<int>{0, 1}));
}

TEST(SeccompOrder, WordNodesSplitEachComparison) {
  const auto eq = WordNodes({Cmp(3, CompareOp::kNe, 0x500000007)});
  ASSERT_EQ(eq.size(), 2u);
  EXPECT_EQ(eq[0].arg_priority, 7);
  EXPECT_EQ(eq[0].datum, 5u);
  EXPECT_EQ(eq[0].node_op, CompareOp::kEq);
  EXPECT_EQ(eq[0].accept, WordNode::kFalse);
  EXPECT_EQ(eq[1].arg_priority, 6);
  EXPECT_EQ(eq[1].datum, 7u);
  const auto le = WordNodes({Cmp(0, CompareOp::kLe, 0x100000002)});
  ASSERT_EQ(le.size(), 3u);
  EXPECT_EQ(le[0].node_op, CompareOp::kGt);
  EXPECT_EQ(le[1].node_op, CompareOp::kEq);
  EXPECT_EQ(le[1].accept, WordNode::kFalse);
  EXPECT_EQ(le[2].node_op, CompareOp::kGt);
  EXPECT_EQ(WordNodes({Cmp(0, CompareOp::kLt, 2)})[2].node_op, CompareOp::kGe);
}

TEST(SeccompOrder, SharedWordDecidesWhenBothUseTheBranch) {
  // `start != 8` added first puts its action on the false branch of the high word's `== 0`;
  // `start != 0x7fffffff` goes the same way: for a high word other than 0 the first decides.
  EXPECT_TRUE(SharedWordDecides({Cmp(0, CompareOp::kNe, 8)}, {Cmp(0, CompareOp::kNe, 0x7fffffff)}));
  // `old_len > 5` accepts on the high word's `> 0`; the later rule continues there.
  EXPECT_TRUE(SharedWordDecides({Cmp(1, CompareOp::kGt, 5)}, {Cmp(1, CompareOp::kGe, 3), Cmp(2, CompareOp::kLt, 9)}));
  // Equalities put their action on the low word only.
  EXPECT_FALSE(SharedWordDecides({Cmp(0, CompareOp::kEq, 8)}, {Cmp(0, CompareOp::kEq, 9)}));
  // `< 5` accepts on the false branch of the high `== 0`, `> 5` goes on along its true branch.
  EXPECT_FALSE(SharedWordDecides({Cmp(0, CompareOp::kLt, 5)}, {Cmp(0, CompareOp::kGt, 5)}));
  // Different high words: no shared node.
  EXPECT_FALSE(SharedWordDecides({Cmp(0, CompareOp::kNe, 8)}, {Cmp(0, CompareOp::kNe, uint64_t{1} << 32)}));
  // The earlier rule's action is on a later argument: the shared node is not its own.
  EXPECT_FALSE(SharedWordDecides({Cmp(0, CompareOp::kNe, 8), Cmp(1, CompareOp::kEq, 1)}, {Cmp(0, CompareOp::kNe, 9)}));
}

// The first chain of each order above is the one libseccomp's filter picks on an input all hold for.
TEST(SeccompOrder, LibseccompAgrees) {
  // The first chain in Order that holds for `args`, as a first-match reading decides.
  auto first = [](const std::vector<std::vector<Comparison>>& added, std::vector<uint64_t> args) {
    args.resize(6);
    for (int index : Order(added)) {
      bool holds = true;
      for (const Comparison& c : added[index]) holds &= policy::ComparisonHolds(c, args[c.arg], 64);
      if (holds) return index;
    }
    return -1;
  };
  auto agree = [&](const std::vector<std::vector<Comparison>>& added, const std::vector<uint64_t>& args) {
    EXPECT_EQ(RuncPicks(added, args), first(added, args)) << "args[0] " << args[0];
  };
  agree({{Cmp(0, CompareOp::kEq, 0)}, {Cmp(1, CompareOp::kEq, 0)}}, {0, 0});
  agree({{Cmp(0, CompareOp::kGt, 3)}, {Cmp(0, CompareOp::kLe, 9)}, {Cmp(0, CompareOp::kNe, 5)}}, {4});
  agree({{Cmp(0, CompareOp::kGt, 3)}, {Cmp(0, CompareOp::kGt, 8)}}, {9});
  agree({{Cmp(0, CompareOp::kLt, 8)}, {Cmp(0, CompareOp::kLt, 3)}}, {2});
  agree({{Cmp(0, CompareOp::kLe, 3)}, {Cmp(0, CompareOp::kLe, 8)}}, {2});
  const std::vector<Comparison> masked = {Masked(2, 0xffffffff, 1)};
  const std::vector<Comparison> not_five = {Cmp(2, CompareOp::kNe, 5)};
  agree({masked, not_five}, {0, 0, 1});
  agree({not_five, masked}, {0, 0, 1});
  agree({masked, not_five}, {0, 0, 0x8000000000000001});  // the high word decides the != first
  const std::vector<std::vector<Comparison>> shared = {
      {Cmp(1, CompareOp::kGt, 0x100000003), Cmp(2, CompareOp::kLe, 8)}, {Cmp(1, CompareOp::kLe, 0x7fffffff)},
      {Cmp(1, CompareOp::kGt, 5)}};
  agree(shared, {0, 0x200000000, 5});
  EXPECT_EQ(first(shared, {0, 0x200000000, 5}), 2);  // not the rule sorted by its own key
  agree({{Cmp(0, CompareOp::kEq, 1)}, {Cmp(0, CompareOp::kEq, 1), Cmp(1, CompareOp::kEq, 2)}}, {1, 2});
  agree({{Masked(0, 0xff, 0x10), Cmp(1, CompareOp::kEq, 5)}, {Masked(0, 0xf0, 0x10)}}, {0x10, 5});
}

TEST(SeccompOrder, RejectsRepeatedOrLeadingConditions) {
  const std::vector<Comparison> both = {Cmp(0, CompareOp::kEq, 1), Cmp(1, CompareOp::kEq, 2)};
  EXPECT_TRUE(LibseccompRejects(both, both));
  EXPECT_TRUE(LibseccompRejects(both, {Cmp(0, CompareOp::kEq, 1)}));
  EXPECT_FALSE(LibseccompRejects({Cmp(0, CompareOp::kEq, 1)}, both));
}

}  // namespace
}  // namespace sysfence::formats
