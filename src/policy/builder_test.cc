// SPDX-License-Identifier: Apache-2.0
#include "policy/builder.h"

#include <gtest/gtest.h>

#include "policy/evaluate.h"
#include "policy/printer.h"
#include "policy/test_util.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

TEST(BuilderTest, BuildsTheSamePolicyAsText) {
  Result<Policy> built = PolicyBuilder()
                             .SetArches({Arch::kX86_64})
                             .SetDefault(Action::Errno(1))
                             .SetBadArch(Action::KillProcess())
                             .Allow({"read", "write", "@signal"})
                             .AddRule(Action::Allow(), {"mmap"}, Arg(2).MaskedEq(4, 0))
                             .AddRule(Action::Allow(), {"socket"}, Arg(0).In({2, 10}))
                             .AddRule(Action::Allow(), {"kill"}, AllOf({Arg(0).Gt(1), Not(Arg(1).Eq(9))}))
                             .AddRule(Action::Errno(38), {"clone3"})
                             .AllowFs(kFsReadFile | kFsReadDir, {"/etc"})
                             .AllowNet(NetRule::Kind::kConnect, 443)
                             .Build();
  ASSERT_TRUE(built.ok()) << built.error().message;
  testing::Parsed parsed = testing::Parse(
      "arch x86_64\ndefault errno EPERM\nbadarch kill\nallow read write @signal\n"
      "allow mmap if (prot & 4) == 0\nallow socket if family in {2, 10}\nallow kill if pid > 1 && !(sig == 9)\n"
      "errno ENOSYS clone3\nfs read /etc\nnet connect tcp 443\n");
  ASSERT_TRUE(parsed.policy) << testing::Show(parsed.diagnostics);
  EXPECT_EQ(*built, *parsed.policy) << PrintPolicy(*built);
}

TEST(BuilderTest, KeepsTheFirstError) {
  PolicyBuilder builder;
  builder.SetArches({Arch::kX86_64}).Allow({"reed"}).AddRule(Action::Errno(0), {"read"});
  ASSERT_TRUE(builder.error().has_value());
  EXPECT_EQ(builder.error()->message, "rule 1: unknown syscall 'reed'; did you mean 'read'?");
  Result<Policy> built = builder.Build();
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().message, "rule 1: unknown syscall 'reed'; did you mean 'read'?");
  EXPECT_EQ(built.error().code, ErrorCode::kInvalidInput);
}

TEST(BuilderTest, RejectsWhatThePolicyLanguageRejects) {
  EXPECT_EQ(PolicyBuilder().SetDefault(Action::Errno(4096)).Build().error().message,
            "SetDefault: errno 4096 is out of range 1..4095");
  EXPECT_EQ(PolicyBuilder().SetArches({Arch::kX86_64}).AddRule(Action::Allow(), {"read"}, Arg(6).Eq(1)).Build().error().message,
            "rule 1: argument index 6 is out of range: seccomp sees arg0..arg5 only");
  EXPECT_EQ(PolicyBuilder().SetArches({Arch::kX86_64}).AddRule(Action::Allow(), {"openat"}, Arg(1).Eq(0)).Build().error().message,
            "rule 1: argument 'filename' (arg1) of openat is a pointer: a filter sees only the address, not the "
            "data it points to");
  EXPECT_EQ(PolicyBuilder().SetArches({Arch::kX86_64}).AllowFs(kFsReadFile, {"etc"}).Build().error().message,
            "AllowFs: path 'etc' is not absolute");
  EXPECT_EQ(PolicyBuilder().Allow({"read"}).Build().error().message,
            "the policy lists no ABI (add an 'arch' statement, e.g. 'arch x86_64')");
  // Width problems need the ABIs, so Build() finds them.
  EXPECT_EQ(PolicyBuilder().SetArches({Arch::kX86_64}).AddRule(Action::Allow(), {"ioctl"}, Arg(1).Eq(uint64_t{1} << 32)).Build().error().message,
            "value 0x100000000 does not fit the 32-bit argument 'cmd' (a 32-bit argument takes 0..0xffffffff or a "
            "negative number down to -2147483648; the kernel ignores its upper half)");
}

TEST(BuilderTest, BuiltPoliciesEvaluate) {
  Result<Policy> built = PolicyBuilder().SetArches({Arch::kX86_64}).Allow({"getpid"}).Build();
  ASSERT_TRUE(built.ok());
  bpf::SeccompData data;
  data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
  data.nr = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "getpid"));
  EXPECT_EQ(Evaluate(*built, data).action, Action::Allow());
}

}  // namespace
}  // namespace sysfence::policy
