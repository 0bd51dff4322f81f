// SPDX-License-Identifier: Apache-2.0
// Argument names resolved with each ABI's own signature, and the 16-bit width, through the parser,
// the checks, the printer and both policy evaluators. (Compiled filters: tests/differential.)
#include "policy/arguments.h"

#include <gtest/gtest.h>

#include "policy/checks.h"
#include "policy/evaluate.h"
#include "policy/printer.h"
#include "policy/test_util.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

constexpr uint64_t kCloneNewUser = 0x10000000;

Policy MustParse(std::string_view text) {
  testing::Parsed parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

SeccompData Call(Arch arch, std::string_view name, std::initializer_list<uint64_t> args) {
  SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  data.nr = static_cast<int32_t>(syscalls::NumberOf(arch, name).value_or(0));
  size_t i = 0;
  for (uint64_t arg : args) data.args[i++] = arg;
  return data;
}

// The reference evaluator's action.
Action Decide(const Policy& policy, const SeccompData& data) { return Evaluate(policy, data).action; }

const Comparison& FirstComparison(const Policy& policy) {
  const Condition* c = &*policy.rules.front().condition;
  while (c->kind != Condition::Kind::kCompare) c = &c->children.front();
  return c->compare;
}

TEST(ArgumentsTest, S390xCloneFlagsAreTheSecondArgument) {
  const Policy p = MustParse("arch s390x\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\n");
  EXPECT_EQ(FirstComparison(p).arg, 1);  // one ABI: stored as the position there
  EXPECT_TRUE(FirstComparison(p).arg_name.empty());
  EXPECT_NE(PrintPolicy(p).find("(clone_flags & CLONE_NEWUSER) == 0"), std::string::npos) << PrintPolicy(p);
  EXPECT_EQ(MustParse(PrintPolicy(p)), p);
  EXPECT_EQ(Decide(p, Call(Arch::kS390x, "clone", {0, kCloneNewUser})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kS390x, "clone", {kCloneNewUser, 0})), Action::Allow());
}

TEST(ArgumentsTest, ANameAtDifferentPositionsIsResolvedPerAbi) {
  const Policy p = MustParse("arch x86_64 s390x\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\n");
  EXPECT_EQ(FirstComparison(p).arg, kNamedArgument);
  EXPECT_EQ(FirstComparison(p).arg_name, "clone_flags");
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "clone", {kCloneNewUser, 0})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "clone", {0, kCloneNewUser})), Action::Allow());
  EXPECT_EQ(Decide(p, Call(Arch::kS390x, "clone", {0, kCloneNewUser})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kS390x, "clone", {kCloneNewUser, 0})), Action::Allow());
  // The canonical form keeps the name, and reads back the same.
  const std::string text = PrintPolicy(p);
  EXPECT_NE(text.find("(clone_flags & CLONE_NEWUSER) == 0"), std::string::npos) << text;
  EXPECT_EQ(MustParse(text), p);
}

TEST(ArgumentsTest, APositionIsTheSameRegisterOnEveryAbiAndPrintsAsOne) {
  const Policy p = MustParse("arch x86_64 s390x\nallow clone if arg0 == 0\n");
  EXPECT_EQ(FirstComparison(p).arg, 0);
  EXPECT_TRUE(FirstComparison(p).arg_name.empty());
  // arg0 is clone_flags on x86_64 but newsp on s390x: printing the name would change the meaning.
  EXPECT_NE(PrintPolicy(p).find("if arg0 == 0"), std::string::npos) << PrintPolicy(p);
  EXPECT_EQ(Decide(p, Call(Arch::kS390x, "clone", {0, kCloneNewUser})), Action::Allow());
  // With x86_64 alone the name is the canonical spelling, as before.
  const Policy one = MustParse("arch x86_64\nallow clone if arg0 == 0\n");
  EXPECT_NE(PrintPolicy(one).find("if clone_flags == 0"), std::string::npos) << PrintPolicy(one);
}

TEST(ArgumentsTest, X86CloneTakesTlsFourth) {
  // CONFIG_CLONE_BACKWARDS: clone(flags, newsp, parent_tid, tls, child_tid) on x86.
  const Policy p = MustParse("arch x86_64 x86\nallow clone if tls == 0\n");
  EXPECT_EQ(Decide(p, Call(Arch::kX86, "clone", {0, 0, 0, 7, 0})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86, "clone", {0, 0, 0, 0, 7})), Action::Allow());
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "clone", {0, 0, 0, 0, 7})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "clone", {0, 0, 0, 7, 0})), Action::Allow());
}

TEST(ArgumentsTest, I386MmapProtIsAnErrorNamingTheAbi) {
  const std::string errors =
      testing::Errors("arch x86_64 x86\nallow mmap if (prot & PROT_EXEC) == 0\n");
  EXPECT_EQ(errors,
            "test.sfp:2:16: error: argument 'prot' of mmap cannot be checked on x86: on x86 mmap takes one pointer "
            "(struct mmap_arg_struct *): its arguments sit in memory, which seccomp cannot read [use mmap2 there "
            "(its arguments are in registers), restrict the rule to the other ABIs with 'on', or drop x86 from the "
            "arch line]\n");
}

TEST(ArgumentsTest, PositionalArgumentsAreCheckedOnEveryAbiToo) {
  EXPECT_NE(testing::Errors("arch x86\nallow mmap if arg2 == 0\n")
                .find("test.sfp:2:15: error: mmap has only 1 argument (arg0) on x86"),
            std::string::npos);
  EXPECT_NE(testing::Errors("arch s390x\nallow mmap if arg0 == 0\n")
                .find("test.sfp:2:15: error: argument 'arg' (arg0) of mmap on s390x is a pointer"),
            std::string::npos);
  // x86's clone takes tls fourth: arg3 is a scalar there, a pointer (child_tidptr) on x86_64.
  EXPECT_TRUE(testing::Parse("arch x86\nallow clone if arg3 == 0\n").policy.has_value());
  EXPECT_NE(testing::Errors("arch x86_64\nallow clone if arg3 == 0\n").find("is a pointer"), std::string::npos);
}

TEST(ArgumentsTest, RestrictingTheRuleToOtherAbisAvoidsTheError) {
  const Policy p = MustParse("arch x86_64 x86\nallow mmap on x86_64 if (prot & PROT_EXEC) == 0\nallow mmap2 on x86 if "
                             "(prot & PROT_EXEC) == 0\n");
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "mmap", {0, 4096, 7})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86, "mmap2", {0, 4096, 7})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86, "mmap2", {0, 4096, 3})), Action::Allow());
}

TEST(ArgumentsTest, RegisterPairsEndTheSignatureOn32BitAbis) {
  const std::string errors = testing::Errors("arch x86_64 arm\nallow pread64 if pos == 0\n");
  EXPECT_NE(errors.find("test.sfp:2:18: error: argument 'pos' of pread64 cannot be checked on arm: on arm "
                        "pread64's 'pos' (loff_t) takes a register pair"),
            std::string::npos)
      << errors;
}

TEST(ArgumentsTest, CheckPolicyJudgesBuiltPoliciesPerAbi) {
  Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  Rule rule;
  rule.targets = {"mmap"};
  Condition c;
  c.compare.arg = 2;
  rule.condition = c;
  p.rules = {rule};
  Diagnostics diagnostics;
  CheckPolicy(p, diagnostics);
  EXPECT_NE(testing::Show(diagnostics).find("mmap has only 1 argument (arg0) on x86"), std::string::npos)
      << testing::Show(diagnostics);
  // A name that one ABI lacks, set in code.
  p.rules[0].condition->compare.arg = kNamedArgument;
  p.rules[0].condition->compare.arg_name = "prot";
  Diagnostics named;
  CheckPolicy(p, named);
  EXPECT_NE(testing::Show(named).find("argument 'prot' of mmap cannot be checked on x86"), std::string::npos)
      << testing::Show(named);
  p.arches = {Arch::kX86_64};
  Diagnostics fine;
  CheckPolicy(p, fine);
  EXPECT_FALSE(fine.HasErrors()) << testing::Show(fine);
}

TEST(ArgumentsTest, ResolveArgumentsOnReplacesNamesWithPositions) {
  Condition c;
  c.compare.arg = kNamedArgument;
  c.compare.arg_name = "clone_flags";
  EXPECT_EQ(ResolveArgumentsOn(c, Arch::kS390x, "clone").compare.arg, 1);
  EXPECT_EQ(ResolveArgumentsOn(c, Arch::kX86_64, "clone").compare.arg, 0);
  EXPECT_TRUE(ResolveArgumentsOn(c, Arch::kX86_64, "clone").compare.arg_name.empty());
  EXPECT_FALSE(HasNamedArguments(ResolveArgumentsOn(c, Arch::kX86_64, "clone")));
  c.compare.arg_name = "prot";
  EXPECT_TRUE(HasNamedArguments(ResolveArgumentsOn(c, Arch::kX86, "mmap")));  // unresolvable: kept
  EXPECT_EQ(ArgumentPositionOn(c.compare, Arch::kX86, "mmap"), std::nullopt);
  EXPECT_EQ(ArgumentPositionOn(c.compare, Arch::kX86, "mmap2"), 2);
}

TEST(ArgumentsTest, SixteenBitModesCompareTheLowSixteenBits) {
  const Policy p = MustParse("arch x86_64 x86\ndefault allow\nerrno EPERM fchmodat if mode == 04755\n");
  // fchmodat(AT_FDCWD, path, 0x109ed): the kernel sets mode 04755.
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "fchmodat", {0, 0, 0x109ed})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "fchmodat", {0, 0, 0xffffffff000009edull})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86, "fchmodat", {0, 0, 0x7fff09ed})), Action::Errno(1));
  EXPECT_EQ(Decide(p, Call(Arch::kX86_64, "fchmodat", {0, 0, 0755})), Action::Allow());
  const Policy order = MustParse("arch x86_64\ndefault allow\nerrno EPERM chmod if mode > 0777\n");
  EXPECT_EQ(Decide(order, Call(Arch::kX86_64, "chmod", {0, 0x10000 | 04000})), Action::Errno(1));
  EXPECT_EQ(Decide(order, Call(Arch::kX86_64, "chmod", {0, 0x10000 | 0644})), Action::Allow());
}

TEST(ArgumentsTest, ValuesBeyondSixteenBitsAreErrors) {
  EXPECT_EQ(testing::Errors("arch x86_64\nerrno EPERM fchmodat if mode == 0x109ed\n"),
            "test.sfp:2:33: error: value 0x109ed does not fit the 16-bit argument 'mode' [a 16-bit argument takes "
            "0..0xffff or a negative number down to -32768; the kernel ignores the bits above]\n");
  EXPECT_NE(testing::Errors("arch x86_64\nerrno EPERM chmod if (mode & 0x10000) == 0\n").find("mask 0x10000"),
            std::string::npos);
  EXPECT_TRUE(testing::Parse("arch x86_64\nallow chmod if mode != -1\n").policy.has_value());  // 0xffff
  // x86's setuid is setuid16; x86_64's takes 32 bits.
  EXPECT_NE(testing::Errors("arch x86_64 x86\nallow setuid if uid == 100000\n").find("16-bit argument 'uid'"),
            std::string::npos);
  EXPECT_TRUE(testing::Parse("arch x86_64 x86\nallow setuid on x86_64 if uid == 100000\n").policy.has_value());
}

TEST(ArgumentsTest, FitsArgumentWidthFollowsTheWidth) {
  EXPECT_TRUE(FitsArgumentWidth(0xffff, 16));
  EXPECT_FALSE(FitsArgumentWidth(0x10000, 16));
  EXPECT_TRUE(FitsArgumentWidth(~uint64_t{0}, 16));          // -1
  EXPECT_TRUE(FitsArgumentWidth(~uint64_t{0} << 15, 16));    // -32768
  EXPECT_FALSE(FitsArgumentWidth(~uint64_t{0} << 16, 16));   // -65536
  EXPECT_TRUE(FitsArgumentWidth(0xffffffff, 32));
  EXPECT_FALSE(FitsArgumentWidth(0x100000000, 32));
  EXPECT_TRUE(FitsArgumentWidth(~uint64_t{0} << 31, 32));
  EXPECT_EQ(EffectiveValue(~uint64_t{0}, 16), 0xffffu);
  EXPECT_EQ(EffectiveValue(0x109ed, 16), 0x109edu);  // not narrowed: never equal to a 16-bit value
  EXPECT_EQ(EffectiveValue(~uint64_t{0}, 32), 0xffffffffu);
  EXPECT_EQ(EffectiveValue(0xffffffff7fffffffull, 32), 0xffffffff7fffffffull);  // not a sign extension
  EXPECT_EQ(EffectiveValue(~uint64_t{0}, 64), ~uint64_t{0});
  Comparison mode;
  mode.value = 04755;
  EXPECT_TRUE(ComparisonHolds(mode, 0x109ed, 16));
  EXPECT_FALSE(ComparisonHolds(mode, 0x109ed, 32));
  EXPECT_TRUE(ComparisonHolds(mode, 0xffffffff000009edull, 32));
}

}  // namespace
}  // namespace sysfence::policy
