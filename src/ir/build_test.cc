// SPDX-License-Identifier: Apache-2.0
#include "ir/build.h"

#include <gtest/gtest.h>

#include "ir/evaluate.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::ir {
namespace {

using policy::CompareOp;
using policy::DecidedBy;

policy::Rule MakeRule(Action action, std::vector<std::string> targets) {
  policy::Rule rule;
  rule.action = action;
  rule.targets = std::move(targets);
  return rule;
}

policy::Condition Compare(int arg, CompareOp op, uint64_t value) {
  policy::Condition c;
  c.compare = {arg, op, value};
  return c;
}

uint32_t Nr(Arch arch, std::string_view name) { return *syscalls::NumberOf(arch, name); }

policy::Decision Decide(const Ir& ir, Arch arch, uint32_t nr, std::initializer_list<uint64_t> args = {}) {
  SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  data.nr = static_cast<int32_t>(nr);
  int i = 0;
  for (uint64_t a : args) data.args[i++] = a;
  return Evaluate(ir, data);
}

void ExpectTotalAndMerged(const ArchTable& table) {
  ASSERT_FALSE(table.ranges.empty());
  EXPECT_EQ(table.ranges.front().first, 0u);
  EXPECT_EQ(table.ranges.back().last, 0xffffffffu);
  for (size_t i = 1; i < table.ranges.size(); ++i) {
    EXPECT_EQ(table.ranges[i].first, table.ranges[i - 1].last + 1);
    EXPECT_NE(table.ranges[i].node, table.ranges[i - 1].node);
  }
}

TEST(BuildIrTest, RangesCoverEveryNumberAndMergeNeighbours) {
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kAarch64};
  // read, write, open, close are 0..3 on x86_64: one allow rule makes one range there.
  p.rules = {MakeRule(Action::Allow(), {"read", "write", "open", "close"})};
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok()) << ir.error().message;
  ASSERT_EQ(ir->tables.size(), 2u);
  for (const ArchTable& table : ir->tables) ExpectTotalAndMerged(table);
  const ArchTable& x86 = ir->tables[0];
  // 0..3 allowed, the rest of the table the default, past the table the `unknown` ENOSYS.
  ASSERT_EQ(x86.ranges.size(), 3u);
  EXPECT_EQ(x86.ranges[0].last, 3u);
  EXPECT_EQ(x86.ranges[2].first, policy::HighestKnownNumber(Arch::kX86_64) + 1);
  // aarch64 has no open: that name simply does not apply there.
  EXPECT_EQ(Decide(*ir, Arch::kAarch64, Nr(Arch::kAarch64, "read")).action, Action::Allow());
  EXPECT_FALSE(syscalls::NumberOf(Arch::kAarch64, "open").has_value());
}

TEST(BuildIrTest, FirstMatchingRuleDecidesAndIsReported) {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  p.default_action = Action::Errno(38);
  policy::Rule narrow = MakeRule(Action::Errno(1), {"ioctl"});
  narrow.condition = Compare(1, CompareOp::kEq, 0x5412);  // TIOCSTI
  p.rules = {narrow, MakeRule(Action::Allow(), {"ioctl", "read"}), MakeRule(Action::KillProcess(), {"read"})};
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok());
  const uint32_t ioctl = Nr(Arch::kX86_64, "ioctl");
  auto d = Decide(*ir, Arch::kX86_64, ioctl, {0, 0x5412});
  EXPECT_EQ(d.action, Action::Errno(1));
  EXPECT_EQ(d.by, DecidedBy::kRule);
  EXPECT_EQ(d.rule_index, 0);
  // High bits of a 32-bit argument are ignored, as the kernel does.
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, ioctl, {0, (uint64_t{1} << 32) | 0x5412}).rule_index, 0);
  d = Decide(*ir, Arch::kX86_64, ioctl, {0, 0x5413});
  EXPECT_EQ(d.action, Action::Allow());
  EXPECT_EQ(d.rule_index, 1);
  // The later kill rule for read is shadowed.
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX86_64, "read")).rule_index, 1);
  d = Decide(*ir, Arch::kX86_64, Nr(Arch::kX86_64, "write"));
  EXPECT_EQ(d.by, DecidedBy::kDefault);
  EXPECT_EQ(d.action, Action::Errno(38));
}

TEST(BuildIrTest, UnlistedAbisAndX32NumbersGetBadarch) {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  p.badarch_action = Action::KillThread();
  p.rules = {MakeRule(Action::Allow(), {"read"})};
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok());
  EXPECT_EQ(Decide(*ir, Arch::kX86, 3).by, DecidedBy::kBadArch);
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, kX32SyscallBit | 0).by, DecidedBy::kBadArch);
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, kX32SyscallBit | 0).action, Action::KillThread());
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, 0).action, Action::Allow());

  p.arches = {Arch::kX86_64, Arch::kX32};
  ir = BuildIr(p);
  ASSERT_TRUE(ir.ok());
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX32, "read")).action, Action::Allow());
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX32, "write")).by, DecidedBy::kDefault);
}

TEST(BuildIrTest, GroupsExpandAndRulesRespectOnlyArches) {
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kAarch64};
  policy::Rule only_arm = MakeRule(Action::Errno(5), {"read"});
  only_arm.only_arches = {Arch::kAarch64};
  const syscalls::Group& group = syscalls::AllGroups().front();
  p.rules = {only_arm, MakeRule(Action::Allow(), {std::string(group.name), "read"})};
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok()) << ir.error().message;
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX86_64, "read")).rule_index, 1);
  EXPECT_EQ(Decide(*ir, Arch::kAarch64, Nr(Arch::kAarch64, "read")).rule_index, 0);
  size_t members = 0;
  for (std::string_view name : syscalls::ExpandGroup(group)) {
    if (name == "read") continue;
    if (auto nr = syscalls::NumberOf(Arch::kX86_64, name)) {
      EXPECT_EQ(Decide(*ir, Arch::kX86_64, *nr).rule_index, 1) << name;
      ++members;
    }
  }
  EXPECT_GT(members, 0u);
}

TEST(BuildIrTest, ArgumentWidthFollowsTheAbi) {
  // mmap's length is 64-bit on x86_64 and 32-bit on i386.
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  policy::Rule rule = MakeRule(Action::Allow(), {"mmap"});
  rule.condition = Compare(1, CompareOp::kEq, 0x1000);
  p.rules = {rule};
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok());
  const uint64_t high = (uint64_t{1} << 32) | 0x1000;
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX86_64, "mmap"), {0, high}).by, DecidedBy::kDefault);
  EXPECT_EQ(Decide(*ir, Arch::kX86, Nr(Arch::kX86, "mmap"), {0, high}).by, DecidedBy::kRule);
}

TEST(BuildIrTest, NamedArgumentsAreResolvedPerAbi) {
  // clone_flags is arg0 on x86_64 and arg1 on s390x (CONFIG_CLONE_BACKWARDS2).
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kS390x};
  policy::Rule rule = MakeRule(Action::Errno(1), {"clone"});
  policy::Condition c = Compare(policy::kNamedArgument, CompareOp::kMaskedEq, 0x10000000);
  c.compare.mask = 0x10000000;
  c.compare.arg_name = "clone_flags";
  rule.condition = c;
  p.rules = {rule};
  p.default_action = Action::Allow();
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok()) << ir.error().message;
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX86_64, "clone"), {0x10000000, 0}).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(*ir, Arch::kX86_64, Nr(Arch::kX86_64, "clone"), {0, 0x10000000}).by, DecidedBy::kDefault);
  EXPECT_EQ(Decide(*ir, Arch::kS390x, Nr(Arch::kS390x, "clone"), {0, 0x10000000}).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(*ir, Arch::kS390x, Nr(Arch::kS390x, "clone"), {0x10000000, 0}).by, DecidedBy::kDefault);
  // A name one of the ABIs lacks (x86's mmap is old_mmap) is refused, not tested somewhere else.
  policy::Rule mmap = MakeRule(Action::Allow(), {"mmap"});
  policy::Condition prot = Compare(policy::kNamedArgument, CompareOp::kEq, 0);
  prot.compare.arg_name = "prot";
  mmap.condition = prot;
  p.rules = {mmap};
  p.arches = {Arch::kX86_64, Arch::kX86};
  auto refused = BuildIr(p);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(refused.error().message.find("x86"), std::string::npos) << refused.error().message;
  mmap.only_arches = {Arch::kX86_64};
  p.rules = {mmap};
  EXPECT_TRUE(BuildIr(p).ok());
}

TEST(BuildIrTest, SixteenBitArgumentsCompareTheirLowSixteenBits) {
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  p.default_action = Action::Allow();
  policy::Rule rule = MakeRule(Action::Errno(1), {"fchmodat"});
  rule.condition = Compare(2, CompareOp::kEq, 04755);
  p.rules = {rule};
  auto ir = BuildIr(p);
  ASSERT_TRUE(ir.ok());
  for (Arch arch : {Arch::kX86_64, Arch::kX86}) {
    EXPECT_EQ(Decide(*ir, arch, Nr(arch, "fchmodat"), {0, 0, 0x109ed}).by, DecidedBy::kRule);
    EXPECT_EQ(Decide(*ir, arch, Nr(arch, "fchmodat"), {0, 0, 0xffff09ed}).by, DecidedBy::kRule);
    EXPECT_EQ(Decide(*ir, arch, Nr(arch, "fchmodat"), {0, 0, 0x10755}).by, DecidedBy::kDefault);
  }
}

TEST(BuildIrTest, BadInputIsAnError) {
  policy::Policy p;
  EXPECT_EQ(BuildIr(p).error().code, ErrorCode::kInvalidInput);  // no ABI
  p.arches = {Arch::kX86_64};
  p.rules = {MakeRule(Action::Allow(), {"raed"})};
  auto r = BuildIr(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("raed"), std::string::npos);
  p.rules = {MakeRule(Action::Allow(), {"@no-such-group"})};
  EXPECT_EQ(BuildIr(p).error().code, ErrorCode::kNotFound);
  // A real syscall that only other ABIs have is fine (it does not apply here).
  p.rules = {MakeRule(Action::Allow(), {"arm_fadvise64_64"})};
  EXPECT_TRUE(BuildIr(p).ok());
  policy::Rule bad = MakeRule(Action::Allow(), {"read"});
  bad.condition = Compare(7, CompareOp::kEq, 0);
  p.rules = {bad};
  EXPECT_EQ(BuildIr(p).error().code, ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace sysfence::ir
