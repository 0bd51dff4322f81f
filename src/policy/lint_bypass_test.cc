// SPDX-License-Identifier: Apache-2.0
#include "policy/lint_bypass.h"

#include <gtest/gtest.h>

#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

// Parses `text` (which must be valid) and returns the bypass warnings shown.
std::string Bypasses(std::string_view text) {
  testing::Parsed parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  if (!parsed.policy) return {};
  Diagnostics diagnostics;
  LintBypasses(*parsed.policy, diagnostics);
  return testing::Show(diagnostics);
}

TEST(LintBypassTest, Openat2BypassesOpenFlagRules) {
  EXPECT_EQ(Bypasses("arch x86_64\nallow openat if (flags & O_CREAT) == 0\nallow openat2\n"),
            "test.sfp:2:1: warning: openat is restricted by this rule, but openat2 is allowed (by the rule at "
            "test.sfp:3:1): openat2 passes its flags in a struct a filter cannot read [add 'errno ENOSYS openat2' "
            "before the rule at test.sfp:3:1, which lets it through, so the C library falls back to openat]\n");
  // Allowed by the default.
  EXPECT_EQ(Bypasses("arch x86_64\ndefault allow\nerrno EACCES open if (flags & O_WRONLY) == O_WRONLY\n"
                     "errno ENOSYS openat\n"),
            "test.sfp:3:1: warning: open is restricted by this rule, but openat2 is allowed (by the default): "
            "openat2 passes its flags in a struct a filter cannot read [add 'errno ENOSYS openat2', so the C "
            "library falls back to open]\n");
  // Fixed: openat2 answered ENOSYS first, or simply denied by the default.
  EXPECT_EQ(Bypasses("arch x86_64\nerrno ENOSYS openat2\nallow openat if (flags & O_CREAT) == 0\nallow openat2\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64\nallow openat if (flags & O_CREAT) == 0\n"), "");
  // An unconditional rule restricts no argument.
  EXPECT_EQ(Bypasses("arch x86_64\nallow openat openat2\n"), "");
}

TEST(LintBypassTest, EnosysAfterTheAllowNeverApplies) {
  EXPECT_NE(Bypasses("arch x86_64\nallow openat if (flags & O_CREAT) == 0\nallow openat2\nerrno ENOSYS openat2\n")
                .find("test.sfp:2:1: warning: openat is restricted by this rule, but openat2 is allowed (by the rule "
                      "at test.sfp:3:1)"),
            std::string::npos);
}

TEST(LintBypassTest, OpenAndOpenatCoverEachOther) {
  EXPECT_EQ(Bypasses("arch x86_64\nallow open if (flags & O_ACCMODE) == O_RDONLY\nallow openat\n"),
            "test.sfp:2:1: warning: open is restricted by this rule, but openat is allowed (by the rule at "
            "test.sfp:3:1): openat opens files as open does, without a condition on flags [give openat the same "
            "condition on flags, or deny it]\n");
  EXPECT_EQ(Bypasses("arch x86_64\nallow openat if (flags & O_ACCMODE) == O_RDONLY\nallow open\n")
                .find("test.sfp:2:1: warning: openat is restricted by this rule, but open is allowed"),
            0u);
  EXPECT_EQ(Bypasses("arch x86_64\nallow open if (flags & O_ACCMODE) == O_RDONLY\nallow openat if (flags & O_ACCMODE) == O_RDONLY\n"), "");
}

TEST(LintBypassTest, PkeyMprotectBypassesMprotectProtRules) {
  EXPECT_EQ(Bypasses("arch x86_64\nallow mprotect if (prot & PROT_EXEC) == 0\nallow pkey_mprotect\n"),
            "test.sfp:2:1: warning: mprotect is restricted by this rule, but pkey_mprotect is allowed (by the rule "
            "at test.sfp:3:1): pkey_mprotect changes protections as mprotect does, without a condition on prot "
            "[give pkey_mprotect the same condition on prot, or deny it]\n");
  EXPECT_EQ(Bypasses("arch x86_64\nallow mprotect pkey_mprotect if (prot & PROT_EXEC) == 0\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64\nallow mprotect if (prot & PROT_EXEC) == 0\n"), "");
  // A condition on another argument does not cover prot.
  EXPECT_NE(Bypasses("arch x86_64\nallow mprotect if (prot & PROT_EXEC) == 0\nallow pkey_mprotect if pkey == 0\n"),
            "");
}

TEST(LintBypassTest, Mmap2OnX86BypassesMmapRules) {
  EXPECT_EQ(Bypasses("arch x86_64 x86\nallow mmap on x86_64 if (prot & PROT_EXEC) == 0\nallow mmap2\n"),
            "test.sfp:2:1: warning: mmap is restricted by this rule, but mmap2 is allowed (by the rule at "
            "test.sfp:3:1 on x86): mmap2 maps memory as mmap does, without a condition on prot [give mmap2 the "
            "same condition on prot, or deny it]\n");
  EXPECT_EQ(Bypasses("arch x86_64 x86\nallow mmap on x86_64 if (prot & PROT_EXEC) == 0\n"
                     "allow mmap2 if (prot & PROT_EXEC) == 0\n"),
            "");
}

TEST(LintBypassTest, PersonalityReadImpliesExecBypassesWxRules) {
  EXPECT_EQ(Bypasses("arch x86_64\nallow mmap mprotect if (prot & PROT_EXEC) == 0\nallow personality\n"),
            "test.sfp:2:1: warning: mmap, mprotect are restricted by this rule, but personality is allowed (by the "
            "rule at test.sfp:3:1) with READ_IMPLIES_EXEC, after which every readable mapping is also executable "
            "[restrict personality before the rule at test.sfp:3:1, which lets it through: 'allow personality if "
            "(personality & READ_IMPLIES_EXEC) == 0', or only the personas the program uses]\n");
  // Refusing READ_IMPLIES_EXEC alone is not enough: it can come with other bits.
  EXPECT_NE(Bypasses("arch x86_64\nallow mmap if (prot & PROT_EXEC) == 0\n"
                     "errno EPERM personality if personality == READ_IMPLIES_EXEC\nallow personality\n"),
            "");
  // Fixed.
  EXPECT_EQ(Bypasses("arch x86_64\nallow mmap mprotect if (prot & PROT_EXEC) == 0\n"
                     "allow personality if (personality & READ_IMPLIES_EXEC) == 0\n"),
            "");
  EXPECT_EQ(Bypasses("arch x86_64\nallow mmap if (prot & PROT_EXEC) == 0\n"
                     "allow personality if personality in {0, 0xffffffff}\n"),
            "");
  // A rule on mmap that does not look at prot is no W^X rule.
  EXPECT_EQ(Bypasses("arch x86_64\nallow mmap if fd == -1\nallow personality\n"), "");
}

TEST(LintBypassTest, ExecveatBypassesExecveRules) {
  EXPECT_EQ(Bypasses("arch x86_64\nkill execve\nallow execveat\n"),
            "test.sfp:2:1: warning: execve is restricted by this rule, but execveat is allowed (by the rule at "
            "test.sfp:3:1): execveat runs programs as execve does [give execveat the rule execve has before the "
            "rule at test.sfp:3:1, which lets it through]\n");
  EXPECT_EQ(Bypasses("arch x86_64\nkill execve execveat\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64\nkill execve\n"), "");
}

TEST(LintBypassTest, Clone3BypassesCloneFlagRules) {
  EXPECT_EQ(Bypasses("arch x86_64\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\nallow clone3\n"),
            "test.sfp:2:1: warning: clone is restricted by this rule, but clone3 is allowed (by the rule at "
            "test.sfp:3:1): clone3 passes its flags in a struct a filter cannot read [add 'errno ENOSYS clone3' "
            "before the rule at test.sfp:3:1, which lets it through, so the C library falls back to clone]\n");
  // Placed after the allow, the ENOSYS answer never applies.
  EXPECT_NE(Bypasses("arch x86_64\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\nallow clone3\n"
                     "errno ENOSYS clone3\n")
                .find("clone3 is allowed (by the rule at test.sfp:3:1)"),
            std::string::npos);
  EXPECT_EQ(Bypasses("arch x86_64\nerrno ENOSYS clone3\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\nerrno ENOSYS clone3\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64\ndefault errno ENOSYS\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\n"), "");
}

TEST(LintBypassTest, Clone3DeniedWithoutEnosysBreaksThreads) {
  EXPECT_EQ(Bypasses("arch x86_64\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\n"),
            "test.sfp:2:1: warning: clone is restricted by its arguments, but clone3 is answered with 'errno EPERM' "
            "(by the default), not errno ENOSYS: the C library falls back to clone only on ENOSYS [add 'errno "
            "ENOSYS clone3' so the C library falls back to clone]\n");
  EXPECT_NE(Bypasses("arch x86_64\nallow clone if (clone_flags & CLONE_NEWUSER) == 0\nkill clone3\n")
                .find("clone3 is answered with 'kill' (by the rule at test.sfp:3:1)"),
            std::string::npos);
  // Denying clone outright needs no fallback.
  EXPECT_EQ(Bypasses("arch x86_64\nkill clone clone3\n"), "");
}

TEST(LintBypassTest, SocketcallBypassesSocketRulesWhenX86IsListed) {
  EXPECT_EQ(Bypasses("arch x86_64 x86\nallow socket if family == AF_UNIX\nallow socketcall on x86\n"),
            "test.sfp:2:1: warning: socket is restricted by this rule, but socketcall is allowed (by the rule at "
            "test.sfp:3:1 on x86) for call == 1, which does the same with the arguments in memory a filter cannot "
            "read [deny socketcall, or refuse those operations first (one rule each): 'errno EPERM socketcall if "
            "call == 1' before the rule at test.sfp:3:1, which lets it through]\n");
  // One rule denying several: one warning naming them all.
  EXPECT_NE(Bypasses("arch x86_64 x86\nerrno EPERM socket connect\nallow socketcall on x86\n")
                .find("socket, connect are restricted by this rule, but socketcall is allowed (by the rule at "
                      "test.sfp:3:1 on x86) for call == 1, 3, which do the same"),
            std::string::npos);
  // Fixed: socketcall refused, or allowed only for operations left unrestricted.
  EXPECT_EQ(Bypasses("arch x86_64 x86\nallow socket if family == AF_UNIX\nerrno ENOSYS socketcall on x86\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64 x86\nallow socket if family == AF_UNIX\nallow socketcall if call in {2, 3}\n"), "");
  // Without x86 there is no socketcall.
  EXPECT_EQ(Bypasses("arch x86_64\nallow socket if family == AF_UNIX\n"), "");
}

TEST(LintBypassTest, IpcBypassesSysvRulesThroughItsVersionBits) {
  // `call != 21` lets 21 | 1 << 16 through: the kernel looks at call & 0xffff only.
  EXPECT_EQ(Bypasses("arch x86_64 x86\nerrno EPERM shmat\nallow ipc if call != 21\n"),
            "test.sfp:2:1: warning: shmat is restricted by this rule, but ipc is allowed (by the rule at "
            "test.sfp:3:1 on x86) for (call & 0xffff) == 21, which does the same with the arguments in memory a "
            "filter cannot read [deny ipc, or refuse those operations first (one rule each): 'errno EPERM ipc if "
            "(call & 0xffff) == 21' before the rule at test.sfp:3:1, which lets it through; the high 16 bits of "
            "call are a version the kernel ignores]\n");
  EXPECT_NE(Bypasses("arch x86_64 x86\nerrno EPERM shmat\nallow ipc if call == 0x10015\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64 x86\nerrno EPERM shmat\nallow ipc if (call & 0xffff) != 21\n"), "");
  EXPECT_EQ(Bypasses("arch x86_64 x86\nerrno EPERM shmat\n"), "");
}

}  // namespace
}  // namespace sysfence::policy
