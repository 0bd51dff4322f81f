// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_ranges.h"

#include <gtest/gtest.h>

#include "policy/evaluate.h"
#include "policy/printer.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using policy::CompareOp;

policy::Rule Block(const char* name, int arg, CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
  policy::Rule rule;
  rule.targets = {name};
  policy::Condition c;
  c.compare.arg = arg;
  c.compare.op = op;
  c.compare.value = value;
  c.compare.mask = mask;
  rule.condition = c;
  return rule;
}

// Docker's socket rule as the OCI export writes it: domain < 38, == 39, > 40 as masked blocks.
std::vector<policy::Rule> SocketBlocks() {
  std::vector<policy::Rule> rules;
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 0, 0xffffffe0));   // 0..31
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 32, 0xfffffffc));  // 32..35
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 36, 0xfffffffe));  // 36..37
  rules.push_back(Block("socket", 0, CompareOp::kEq, 39));
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 41, 0xffffffff));
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 42, 0xfffffffe));  // 42..43
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 44, 0xfffffffc));  // 44..47
  rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, 48, 0xfffffff0));  // 48..63
  for (uint64_t bit = 6; bit < 32; ++bit) {
    const uint64_t size = uint64_t{1} << bit;
    rules.push_back(Block("socket", 0, CompareOp::kMaskedEq, size, 0xffffffff & ~(size - 1)));
  }
  return rules;
}

policy::Policy WithRules(std::vector<policy::Rule> rules) {
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  p.default_action = Action::Errno(1);
  p.rules = std::move(rules);
  return p;
}

TEST(RejoinLowWordRanges, JoinsTheExportedBlocksOfDockersSocketRule) {
  policy::Policy blocks = WithRules(SocketBlocks());
  policy::Policy joined = blocks;
  RejoinLowWordRanges(joined.rules, 0, joined.arches);
  EXPECT_EQ(policy::PrintPolicy(joined).substr(policy::PrintPolicy(joined).find("allow")),
            "allow socket if family < 38\nallow socket if family == 39\nallow socket if family > 40\n");
  for (Arch arch : blocks.arches) {
    SeccompData data;
    data.arch = GetArchInfo(arch).audit_arch;
    data.nr = static_cast<int32_t>(*syscalls::NumberOf(arch, "socket"));
    for (uint64_t value : {0ull, 37ull, 38ull, 39ull, 40ull, 41ull, 0xffffffffull, 0x100000026ull, 0x100000027ull}) {
      data.args[0] = value;
      EXPECT_EQ(policy::Evaluate(joined, data).action, policy::Evaluate(blocks, data).action) << value;
    }
  }
}

TEST(RejoinLowWordRanges, WritesAllButOneValueAsNotEqual) {
  std::vector<policy::Rule> rules = {Block("socket", 0, CompareOp::kLt, 16), Block("socket", 0, CompareOp::kGt, 16)};
  RejoinLowWordRanges(rules, 0, {Arch::kX86_64});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].condition->compare.op, CompareOp::kNe);
  EXPECT_EQ(rules[0].condition->compare.value, 16u);
}

TEST(RejoinLowWordRanges, LeavesWhatItCannotJoinExactly) {
  // mmap's length is 64 bits wide: a low-word block is not a range of the whole argument.
  std::vector<policy::Rule> wide = {Block("mmap", 1, CompareOp::kMaskedEq, 0, 0xfffffff0),
                                    Block("mmap", 1, CompareOp::kMaskedEq, 16, 0xfffffff0)};
  RejoinLowWordRanges(wide, 0, {Arch::kX86_64});
  EXPECT_EQ(wide.size(), 2u);
  // Another action, another argument, or a mask that is not a prefix: separate rules stay.
  std::vector<policy::Rule> mixed = {Block("socket", 0, CompareOp::kEq, 1), Block("socket", 0, CompareOp::kEq, 2)};
  mixed[1].action = Action::Log();
  RejoinLowWordRanges(mixed, 0, {Arch::kX86_64});
  EXPECT_EQ(mixed.size(), 2u);
  std::vector<policy::Rule> args = {Block("socket", 0, CompareOp::kEq, 1), Block("socket", 1, CompareOp::kEq, 2),
                                    Block("socket", 0, CompareOp::kMaskedEq, 0, 0x10)};
  RejoinLowWordRanges(args, 0, {Arch::kX86_64});
  EXPECT_EQ(args.size(), 3u);
  // Rules before `first` are not touched.
  std::vector<policy::Rule> before = {Block("socket", 0, CompareOp::kEq, 4), Block("socket", 0, CompareOp::kEq, 5),
                                      Block("socket", 0, CompareOp::kEq, 6)};
  RejoinLowWordRanges(before, 1, {Arch::kX86_64});
  EXPECT_EQ(before.size(), 3u);  // 5 and 6: two values stay two equalities
}

}  // namespace
}  // namespace sysfence::formats
