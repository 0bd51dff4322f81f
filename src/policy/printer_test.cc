// SPDX-License-Identifier: Apache-2.0
#include "policy/printer.h"

#include <gtest/gtest.h>

#include "policy/checks.h"
#include "policy/test_util.h"
#include "tests/support/random_policy.h"

namespace sysfence::policy {
namespace {

using testing::Parse;
using testing::Show;

std::string Canonical(std::string_view text) {
  testing::Parsed parsed = Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << Show(parsed.diagnostics);
  return parsed.policy ? PrintPolicy(*parsed.policy) : std::string();
}

TEST(PrinterTest, CanonicalLayout) {
  EXPECT_EQ(Canonical("# Web server.\n\narch   amd64 x86\nbadarch kill-process\n"
                      "net connect tcp 5432\nnet connect tcp 443\nnet bind tcp 80\n"
                      "fs write /tmp\nallow read   write\n# why\nerrno 38 clone3\n"
                      "allow socket if family in {AF_INET,AF_INET6}\n"
                      "allow mmap on x86_64 if (prot & PROT_EXEC) == 0 && !(flags == 0x22)\n"
                      "allow ioctl if (cmd & 0xff) != 0x12 || cmd == -1\n"),
            "# Web server.\n"
            "\n"
            "arch x86_64 x86\n"
            "default errno EPERM\n"
            "badarch kill\n"
            "\n"
            "allow read write\n"
            "\n"
            "# why\n"
            "errno ENOSYS clone3\n"
            "allow socket if family in {AF_INET, AF_INET6}\n"
            "allow mmap on x86_64 if (prot & PROT_EXEC) == 0 && !(flags == 0x22)\n"
            "allow ioctl if (cmd & 0xff) != 0x12 || cmd == -1\n"
            "\n"
            "fs write /tmp\n"
            "\n"
            "net connect tcp 5432 443\n"
            "net bind tcp 80\n");
}

TEST(PrinterTest, ValuesWithoutSpellingArePrintedReadably) {
  Policy policy;
  policy.arches = {Arch::kX86_64};
  Rule rule;
  rule.targets = {"lseek"};
  Condition condition;
  condition.kind = Condition::Kind::kOr;
  for (uint64_t value : {uint64_t{7}, uint64_t{0x1000}, ~uint64_t{0}, uint64_t{0xffffffff80000000}, uint64_t{1} << 63}) {
    Condition member;
    member.compare.arg = 1;
    member.compare.op = CompareOp::kLt;
    member.compare.value = value;
    condition.children.push_back(member);
  }
  rule.condition = condition;
  EXPECT_EQ(PrintRule(rule),
            "allow lseek if offset < 7 || offset < 0x1000 || offset < -1 || offset < -2147483648 || "
            "offset < 0x8000000000000000");
}

TEST(PrinterTest, StaleSpellingFallsBackToTheNumber) {
  Rule rule;
  rule.targets = {"socket"};
  Condition condition;
  condition.compare.arg = 0;
  condition.compare.value = 10;
  condition.compare.value_spelling = "AF_INET";  // means 2, not 10
  rule.condition = condition;
  EXPECT_EQ(PrintRule(rule), "allow socket if family == 10");
}

TEST(PrinterTest, ArgumentsWithDifferentNamesPrintByPosition) {
  Rule rule;
  rule.targets = {"read", "kill"};  // arg0 is fd of read but pid of kill
  Condition condition;
  condition.compare.arg = 0;
  condition.compare.value = 1;
  rule.condition = condition;
  EXPECT_EQ(PrintRule(rule), "allow read kill if arg0 == 1");
}

TEST(PrinterTest, PathsThatNeedQuotes) {
  Policy policy;
  policy.arches = {Arch::kX86_64};
  FsRule fs;
  fs.access = kFsReadFile;
  fs.paths = {"/plain", "/with space", "/hash#tag", "/q\"uote", "/back\\slash"};
  policy.fs_rules.push_back(fs);
  const std::string text = PrintPolicy(policy);
  EXPECT_NE(text.find(R"(fs read-file /plain "/with space" "/hash#tag" "/q\"uote" "/back\\slash")"), std::string::npos)
      << text;
  testing::Parsed parsed = Parse(text);
  ASSERT_TRUE(parsed.policy) << Show(parsed.diagnostics);
  EXPECT_EQ(parsed.policy->fs_rules[0].paths, fs.paths);
}

TEST(PrinterTest, CommentsRoundTrip) {
  const std::string text = Canonical(
      "# top\n\narch x86_64\n# one\n#\n# three\nallow read\nallow write # tail\nfs read /etc # etc\n"
      "net bind tcp 1 2\n# own\nnet bind tcp 3\n");
  EXPECT_EQ(text,
            "# top\n\narch x86_64\ndefault errno EPERM\nbadarch kill\n\n# one\n#\n# three\nallow read\n\n# tail\n"
            "allow write\n\n# etc\nfs read /etc\n\nnet bind tcp 1 2\n\n# own\nnet bind tcp 3\n");
  EXPECT_EQ(Canonical(text), text) << "printing is idempotent";
}

// The property the formatter rests on: parse(print(p)) == p, for any valid policy.
TEST(PrinterTest, RoundTripOnRandomPolicies) {
  int conditions = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    const Policy policy = RandomPolicy(seed);
    Diagnostics check;
    CheckPolicy(policy, check);
    ASSERT_FALSE(check.HasErrors()) << "seed " << seed << "\n" << Show(check);
    const std::string text = PrintPolicy(policy);
    testing::Parsed parsed = Parse(text);
    ASSERT_TRUE(parsed.policy.has_value()) << "seed " << seed << "\n" << text << Show(parsed.diagnostics);
    ASSERT_EQ(*parsed.policy, policy) << "seed " << seed << "\n" << text << "---\n" << PrintPolicy(*parsed.policy);
    ASSERT_EQ(PrintPolicy(*parsed.policy), text) << "seed " << seed;
    for (size_t i = 0; i < policy.rules.size(); ++i) {
      EXPECT_EQ(parsed.policy->rules[i].comment, policy.rules[i].comment) << "seed " << seed;
      if (policy.rules[i].condition) ++conditions;
    }
  }
  EXPECT_GT(conditions, 1000) << "the generator should exercise conditions";
}

}  // namespace
}  // namespace sysfence::policy
