// SPDX-License-Identifier: Apache-2.0
#include "run/ledger.h"

#include <gtest/gtest.h>

namespace sysfence::run {
namespace {

DecodedArg Constant(std::string name, std::string text) {
  return {std::move(name), 0, DecodedArg::Kind::kConstant, std::move(text), "AF"};
}

TEST(LedgerTest, CountsPerShapeAndMergesConstantsIntoOneLine) {
  Ledger ledger;
  const CallShape netlink{0xC000003E, 41, 16, -1};
  const CallShape inet{0xC000003E, 41, 2, -1};
  EXPECT_EQ(ledger.Count(netlink), 1u);
  EXPECT_EQ(ledger.Count(netlink), 2u);
  EXPECT_EQ(ledger.Count(inet), 1u);
  ledger.NoteFirst("socket", {Constant("family", "AF_NETLINK")}, true);
  ledger.NoteFirst("socket", {Constant("family", "AF_INET")}, true);
  ledger.NoteFirst("uname", {}, true);
  ledger.NoteFirst("getpid", {}, false);  // already passes (log): no line
  EXPECT_EQ(ledger.total(), 3u);
  EXPECT_EQ(ledger.distinct(), 2u);
  EXPECT_EQ(ledger.SuggestedLines(),
            (std::vector<std::string>{"allow socket if family in {AF_INET, AF_NETLINK}", "allow uname"}));
}

TEST(LedgerTest, AnUnconditionalCallWidensTheLine) {
  Ledger ledger;
  ledger.NoteFirst("socket", {Constant("family", "AF_INET")}, true);
  ledger.NoteFirst("socket", {{"family", 99, DecodedArg::Kind::kNumber, "", ""}}, true);
  EXPECT_EQ(ledger.SuggestedLines(), (std::vector<std::string>{"allow socket"}));
}

TEST(LedgerTest, SuggestRuleUsesTheKeyArgument) {
  EXPECT_EQ(SuggestRule("socket", {Constant("family", "AF_NETLINK")}), "allow socket if family == AF_NETLINK");
  EXPECT_EQ(SuggestRule("uname", {}), "allow uname");
  EXPECT_EQ(SuggestRule("", {}), "");
  EXPECT_EQ(KeyArgIndex("ioctl"), 1);
  EXPECT_EQ(KeyArgIndex("getppid"), -1);
}

TEST(LedgerTest, MissingArchBecomesANote) {
  Ledger ledger;
  ledger.NoteMissingArch("x86");
  ASSERT_EQ(ledger.SuggestedLines().size(), 1u);
  EXPECT_NE(ledger.SuggestedLines()[0].find("x86"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::run
