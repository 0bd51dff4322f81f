// SPDX-License-Identifier: Apache-2.0
#include "policy/lint.h"

#include <gtest/gtest.h>

#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

// Parses `text` (which must be valid) and returns the lint warnings shown.
std::string Lint(std::string_view text) {
  testing::Parsed parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  if (!parsed.policy) return {};
  Diagnostics diagnostics;
  LintPolicy(*parsed.policy, diagnostics);
  return testing::Show(diagnostics);
}

TEST(LintTest, CleanPolicyHasNoWarnings) {
  EXPECT_EQ(Lint("arch x86_64\ndefault errno EPERM\nallow read write\nallow mmap if (prot & PROT_EXEC) == 0\n"
                 "errno ENOSYS clone3 io_uring_setup io_uring_enter io_uring_register\nkill ptrace\n"),
            "");
}

TEST(LintTest, UnreachableRules) {
  EXPECT_EQ(Lint("arch x86_64\nallow read write\nerrno EACCES read\n"),
            "test.sfp:3:1: warning: unreachable rule: every syscall it names is already decided by earlier rules "
            "[for example 'read' by the rule at test.sfp:2:1]\n");
  EXPECT_EQ(Lint("arch x86_64\nallow read\nlog read close\n"),
            "test.sfp:3:1: warning: 'read' is already decided by the rule at test.sfp:2:1; this rule never applies "
            "to it\n");
  // A conditional rule does not shadow what follows it.
  EXPECT_EQ(Lint("arch x86_64\nallow read if fd == 0\nerrno EACCES read\n"), "");
  // A rule for another ABI does not shadow this one.
  EXPECT_EQ(Lint("arch x86_64 x86\nallow read on x86\nerrno EACCES read\n"), "");
}

TEST(LintTest, DuplicateRulesAndTargets) {
  EXPECT_EQ(Lint("arch x86_64\nallow read if fd == 0\nallow read if fd == 0\n"),
            "test.sfp:3:1: warning: duplicate of the rule at test.sfp:2:1 [remove one of them]\n");
  EXPECT_EQ(Lint("arch x86_64\nallow read read\n"), "test.sfp:2:1: warning: 'read' is named twice in this rule\n");
}

TEST(LintTest, RuleSameAsDefault) {
  EXPECT_EQ(Lint("arch x86_64\ndefault errno EPERM\nerrno EPERM read\n"),
            "test.sfp:3:1: warning: the rule has the same effect as the default ('errno EPERM') [remove it, or move "
            "it before a rule it should take precedence over]\n");
  // Before a broader rule it is not redundant.
  EXPECT_EQ(Lint("arch x86_64\ndefault errno EPERM\nerrno EPERM read if fd == 3\nallow read\n"), "");
}

TEST(LintTest, SyscallMissingOnTheAbis) {
  EXPECT_EQ(Lint("arch x86_64\nallow socketcall\n"),
            "test.sfp:2:1: warning: 'socketcall' does not exist on x86_64: the rule never applies to it\n");
}

TEST(LintTest, IoUringAllowedWhileFilesAreDenied) {
  EXPECT_EQ(Lint("arch x86_64\nallow io_uring_setup io_uring_enter read write\n"),
            "test.sfp:2:1: warning: io_uring_setup is allowed (by the rule at test.sfp:2:1) while openat, "
            "openat2, close, readv, ... are denied: io_uring does that work without a syscall the filter sees "
            "[answer io_uring_setup, io_uring_enter and io_uring_register with 'errno ENOSYS']\n");
  // Allowed by default with nothing it proxies denied: no io_uring warning.
  EXPECT_EQ(Lint("arch x86_64\ndefault allow\nkill reboot ptrace process_vm_writev\n"), "");
  // Allowed by default while something it proxies is denied.
  EXPECT_NE(Lint("arch x86_64\ndefault allow\nerrno EACCES openat\n").find("io_uring_setup is allowed (by the default)"),
            std::string::npos);
}

TEST(LintTest, TracingAllowed) {
  EXPECT_EQ(Lint("arch x86_64\nallow ptrace\n"),
            "test.sfp:2:1: warning: ptrace is allowed (by the rule at test.sfp:2:1): it lets this process change "
            "what another process does, outside this filter [deny it unless the program is a debugger: 'kill "
            "ptrace']\n");
  EXPECT_NE(Lint("arch x86_64\nlog process_vm_writev\n").find("process_vm_writev is allowed"), std::string::npos);
}

TEST(LintTest, KillThread) {
  EXPECT_EQ(Lint("arch x86_64\nkill-thread reboot\n"),
            "test.sfp:2:1: warning: kill-thread ends only the calling thread [prefer 'kill' (kill-process): the "
            "other threads go on running without the killed one]\n");
  EXPECT_NE(Lint("arch x86_64\ndefault kill-thread\n").find("the default action kill-thread"), std::string::npos);
}

TEST(LintTest, MaskedComparisonThatNeverHolds) {
  EXPECT_EQ(Lint("arch x86_64\nallow mmap if (prot & 0x3) == 0x4\n"),
            "test.sfp:2:1: warning: masked comparison on arg2 can never hold: the value has bits outside the mask\n");
}

TEST(LintTest, WriteFileWithoutTruncate) {
  EXPECT_EQ(Lint("arch x86_64\nfs write-file /tmp\n"),
            "test.sfp:2:1: warning: write-file without truncate: opening these files with O_TRUNC will fail "
            "[grant 'write' (which includes truncate), or add 'truncate']\n");
  EXPECT_EQ(Lint("arch x86_64\nfs write /tmp\n"), "");
}

}  // namespace
}  // namespace sysfence::policy
