// SPDX-License-Identifier: Apache-2.0
#include "policy/evaluate.h"

#include <gtest/gtest.h>


#include "policy/test_util.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

Policy MustParse(std::string_view text) {
  testing::Parsed parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

SeccompData Call(Arch arch, std::string_view name, std::initializer_list<uint64_t> args = {}) {
  SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  const std::optional<uint32_t> nr = syscalls::NumberOf(arch, name);
  EXPECT_TRUE(nr.has_value()) << name;
  data.nr = static_cast<int32_t>(nr.value_or(0));
  size_t i = 0;
  for (uint64_t arg : args) data.args[i++] = arg;
  return data;
}

// The reference decision (the IR evaluator is held to it in tests/differential/model_test.cc).
Decision Decide(const Policy& policy, const SeccompData& data) { return Evaluate(policy, data); }

TEST(EvaluateTest, FirstMatchingRuleDecides) {
  const Policy policy = MustParse(
      "arch x86_64\ndefault errno EPERM\nallow read if fd == 0\nerrno EACCES read\nallow read\n");
  Decision d = Decide(policy, Call(Arch::kX86_64, "read", {0}));
  EXPECT_EQ(d.action, Action::Allow());
  EXPECT_EQ(d.by, DecidedBy::kRule);
  EXPECT_EQ(d.rule_index, 0);
  d = Decide(policy, Call(Arch::kX86_64, "read", {1}));
  EXPECT_EQ(d.action, Action::Errno(13));
  EXPECT_EQ(d.rule_index, 1);
}

TEST(EvaluateTest, DefaultForUnnamedAndUnknownNumbers) {
  const Policy policy = MustParse("arch x86_64\ndefault errno ENOSYS\nallow read\n");
  Decision d = Decide(policy, Call(Arch::kX86_64, "getpid"));
  EXPECT_EQ(d.action, Action::Errno(38));
  EXPECT_EQ(d.by, DecidedBy::kDefault);
  EXPECT_EQ(d.rule_index, -1);
  SeccompData unknown = Call(Arch::kX86_64, "read");
  for (int32_t nr : {400, 4000, 0x3fffffff}) {
    unknown.nr = nr;
    // In a gap of the table, the default; past it, the `unknown` answer, ENOSYS here as the
    // default, so the default decides (the IR shares the leaf).
    EXPECT_EQ(Decide(policy, unknown).by, DecidedBy::kDefault) << nr;
  }
  const Policy eperm = MustParse("arch x86_64\ndefault errno EPERM\nallow read\n");
  unknown.nr = 4000;
  EXPECT_EQ(Decide(eperm, unknown).by, DecidedBy::kUnknown);
  EXPECT_EQ(Decide(eperm, unknown).action, Action::Errno(38));
  unknown.nr = 400;
  EXPECT_EQ(Decide(eperm, unknown).by, DecidedBy::kDefault);
  // On x86_64, -1 has the x32 bit set: it is an x32 number, and x32 is not listed.
  unknown.nr = -1;
  EXPECT_EQ(Decide(policy, unknown).by, DecidedBy::kBadArch);
}

TEST(EvaluateTest, UnlistedArchGetsBadArch) {
  const Policy policy = MustParse("arch x86_64\nbadarch errno 99\nallow read\n");
  Decision d = Decide(policy, Call(Arch::kAarch64, "read"));
  EXPECT_EQ(d.action, Action::Errno(99));
  EXPECT_EQ(d.by, DecidedBy::kBadArch);
  d = Decide(policy, Call(Arch::kX86, "read"));  // int 0x80 from a 64-bit process
  EXPECT_EQ(d.by, DecidedBy::kBadArch);
  SeccompData garbage;
  garbage.arch = 0x12345678;
  EXPECT_EQ(Decide(policy, garbage).by, DecidedBy::kBadArch);
}

TEST(EvaluateTest, X32NumbersAreBadArchUnlessX32IsListed) {
  const Policy without = MustParse("arch x86_64\nbadarch kill\nallow read\n");
  const SeccompData x32_read = Call(Arch::kX32, "read");
  EXPECT_EQ(x32_read.arch, GetArchInfo(Arch::kX86_64).audit_arch);
  EXPECT_NE(static_cast<uint32_t>(x32_read.nr) & kX32SyscallBit, 0u);
  EXPECT_EQ(Decide(without, x32_read).by, DecidedBy::kBadArch);

  const Policy with = MustParse("arch x86_64 x32\nbadarch kill\nallow read\n");
  Decision d = Decide(with, x32_read);
  EXPECT_EQ(d.by, DecidedBy::kRule);
  EXPECT_EQ(d.action, Action::Allow());
  // Listing only x32 leaves plain x86_64 calls unlisted.
  const Policy only_x32 = MustParse("arch x32\nallow read\n");
  EXPECT_EQ(Decide(only_x32, Call(Arch::kX86_64, "read")).by, DecidedBy::kBadArch);
  EXPECT_EQ(Decide(only_x32, x32_read).by, DecidedBy::kRule);
}

TEST(EvaluateTest, ThirtyTwoBitArgumentsIgnoreTheUpperHalf) {
  // ioctl's cmd is unsigned int: TIOCSTI with garbage above bit 31 is still TIOCSTI (CVE-2019-10063).
  const Policy policy = MustParse("arch x86_64\ndefault allow\nkill ioctl if cmd == TIOCSTI\n");
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "ioctl", {0, 0x5412})).action, Action::KillProcess());
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "ioctl", {0, 0x5412 | (uint64_t{1} << 32)})).action,
            Action::KillProcess());
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "ioctl", {0, 0xdeadbeef00005412})).action, Action::KillProcess());
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "ioctl", {0, 0x5413})).action, Action::Allow());
}

TEST(EvaluateTest, SignExtendedNegativesOnThirtyTwoBitArguments) {
  const Policy policy = MustParse("arch x86_64\nallow read if fd == -1\nallow write if fd < -100\n");
  // fd == -1 means the low half is 0xffffffff, whatever the high half holds.
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "read", {0xffffffff})).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "read", {~uint64_t{0}})).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "read", {0x12345678ffffffff})).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "read", {0xfffffffe})).by, DecidedBy::kDefault);
  // Comparisons are unsigned on the low half: -100 is 0xffffff9c.
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "write", {5})).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "write", {0xffffffff})).by, DecidedBy::kDefault);
}

TEST(EvaluateTest, SixtyFourBitArgumentsCompareAllBits) {
  const Policy policy = MustParse("arch x86_64 x86\nallow lseek on x86_64 if offset == -1\n");
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "lseek", {0, ~uint64_t{0}})).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "lseek", {0, 0xffffffff})).by, DecidedBy::kDefault);
}

TEST(EvaluateTest, EveryAbiIsThirtyTwoBitOnX86) {
  const Policy policy = MustParse("arch x86_64 x86\nallow lseek if offset == 5\n");
  // On i386 every argument is 32 bits: the high half of the register is not the argument.
  EXPECT_EQ(Decide(policy, Call(Arch::kX86, "lseek", {0, 5 | (uint64_t{7} << 32)})).by, DecidedBy::kRule);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "lseek", {0, 5 | (uint64_t{7} << 32)})).by, DecidedBy::kDefault);
}

TEST(EvaluateTest, RulesRestrictedToOtherArchesAreSkipped) {
  const Policy policy = MustParse("arch x86_64 x86\nerrno EACCES read on x86\nallow read\n");
  Decision d = Decide(policy, Call(Arch::kX86, "read"));
  EXPECT_EQ(d.action, Action::Errno(13));
  EXPECT_EQ(d.rule_index, 0);
  d = Decide(policy, Call(Arch::kX86_64, "read"));
  EXPECT_EQ(d.action, Action::Allow());
  EXPECT_EQ(d.rule_index, 1);
}

TEST(EvaluateTest, GroupsAndBooleanConditions) {
  const Policy policy = MustParse(
      "arch x86_64\nallow kill if !(sig == 9) && (pid == 1 || pid in {5, 6})\n"
      "allow mmap if (prot & PROT_EXEC) != 0\nallow @signal\n");
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "kill", {6, 15})).rule_index, 0);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "kill", {6, 9})).by, DecidedBy::kRule);  // @signal has kill
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "kill", {6, 9})).rule_index, 2);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "mmap", {0, 0, 7})).rule_index, 1);
  EXPECT_EQ(Decide(policy, Call(Arch::kX86_64, "mmap", {0, 0, 3})).by, DecidedBy::kDefault);
}

}  // namespace
}  // namespace sysfence::policy
