// SPDX-License-Identifier: Apache-2.0
// The `unknown` line: what syscall numbers past the table get.
#include <gtest/gtest.h>

#include <cerrno>

#include "policy/evaluate.h"
#include "policy/lint.h"
#include "policy/printer.h"
#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

Decision Decide(const Policy& policy, uint32_t nr) {
  SeccompData data;
  data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
  data.nr = static_cast<int32_t>(nr);
  return Evaluate(policy, data);
}

Policy Parsed(std::string_view text) {
  auto parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

TEST(UnknownTest, PastTheTableIsEnosysWhenTheDefaultDenies) {
  const Policy policy = Parsed("arch x86_64\ndefault errno EPERM\nallow read\n");
  const uint32_t past = HighestKnownNumber(Arch::kX86_64) + 1;
  EXPECT_EQ(Decide(policy, past).action, Action::Errno(ENOSYS));
  EXPECT_EQ(Decide(policy, past).by, DecidedBy::kUnknown);
  EXPECT_EQ(Decide(policy, 0x3fffffff).action, Action::Errno(ENOSYS));
  EXPECT_EQ(Decide(policy, past - 1).by, DecidedBy::kDefault);  // the highest known syscall
  EXPECT_EQ(Decide(policy, 400).action, Action::Errno(EPERM));  // a gap inside the table
  // A permissive default stays permissive: the program's own kernel answers.
  EXPECT_EQ(Decide(Parsed("arch x86_64\ndefault allow\nerrno EPERM mount\n"), past).action, Action::Allow());
}

TEST(UnknownTest, TheLineChoosesAndPrintsBack) {
  const Policy eperm = Parsed("arch x86_64\ndefault kill\nunknown errno EPERM\n");
  EXPECT_EQ(Decide(eperm, 1000).action, Action::Errno(EPERM));
  EXPECT_NE(PrintPolicy(eperm).find("\nunknown errno EPERM\n"), std::string::npos) << PrintPolicy(eperm);
  const Policy follows = Parsed("arch x86_64\ndefault errno EACCES\nunknown default\n");
  EXPECT_EQ(Decide(follows, 1000).action, Action::Errno(EACCES));
  EXPECT_NE(PrintPolicy(follows).find("\nunknown default\n"), std::string::npos) << PrintPolicy(follows);
  // Round trip, and unwritten stays unwritten.
  EXPECT_EQ(Parsed(PrintPolicy(eperm)), eperm);
  EXPECT_EQ(Parsed(PrintPolicy(follows)), follows);
  EXPECT_EQ(PrintPolicy(Parsed("arch x86_64\ndefault kill\n")).find("unknown"), std::string::npos);
  EXPECT_NE(eperm, follows);
}

TEST(UnknownTest, CheckWarnsWhenUnknownNumbersPassADenyingDefault) {
  auto warned = testing::Parse("arch x86_64\ndefault errno EPERM\nunknown allow\n");
  ASSERT_TRUE(warned.policy.has_value());
  LintPolicy(*warned.policy, warned.diagnostics);
  EXPECT_NE(testing::Show(warned.diagnostics).find("test.sfp:3:1: warning: 'unknown allow' lets through"),
            std::string::npos)
      << testing::Show(warned.diagnostics);
  for (const char* clean : {"arch x86_64\ndefault errno EPERM\nunknown errno ENOSYS\n",
                            "arch x86_64\ndefault allow\nkill ptrace process_vm_writev\nunknown allow\n",
                            "arch x86_64\ndefault kill\n"}) {
    auto parsed = testing::Parse(clean);
    ASSERT_TRUE(parsed.policy.has_value());
    LintPolicy(*parsed.policy, parsed.diagnostics);
    EXPECT_FALSE(parsed.diagnostics.HasWarnings()) << clean << testing::Show(parsed.diagnostics);
  }
}

TEST(UnknownTest, BadLinesAreErrorsWithTheirPosition) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"arch x86_64\nunknown\n", "test.sfp:2:8: error: 'unknown' needs an action"},
      {"arch x86_64\nunknown errno EPERM\nunknown default\n", "test.sfp:3:1: error: 'unknown' appears twice"},
      {"arch x86_64\nunknown errno ENOPE\n", "test.sfp:2:15: error:"},
      {"arch x86_64\nunknwon errno EPERM\n", "test.sfp:2:1: error: unknown statement 'unknwon'"},
  };
  for (const Case& c : cases) {
    auto parsed = testing::Parse(c.text);
    EXPECT_FALSE(parsed.policy.has_value()) << c.text;
    EXPECT_NE(testing::Show(parsed.diagnostics).find(c.message), std::string::npos)
        << c.text << "\n" << testing::Show(parsed.diagnostics);
  }
}

}  // namespace
}  // namespace sysfence::policy
