// SPDX-License-Identifier: Apache-2.0
#include "run/ledger.h"

#include <gtest/gtest.h>

#include "policy/amend.h"
#include "policy/policy.h"
#include "run/observed_call.h"

namespace sysfence::run {
namespace {

DecodedArg Constant(std::string name, uint64_t value, std::string text) {
  return {std::move(name), value, DecodedArg::Kind::kConstant, std::move(text), "AF"};
}

policy::Policy EmptyPolicy() {
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  return policy;
}

TEST(LedgerTest, CountsPerShapeAndKeepsTheObservedValuesAsConditions) {
  Ledger ledger;
  const CallShape netlink{0xC000003E, 41, 16, -1};
  const CallShape inet{0xC000003E, 41, 2, -1};
  EXPECT_EQ(ledger.Count(netlink), 1u);
  EXPECT_EQ(ledger.Count(netlink), 2u);
  EXPECT_EQ(ledger.Count(inet), 1u);
  ledger.NoteFirst(Arch::kX86_64, "socket", {Constant("family", 16, "AF_NETLINK")}, true);
  ledger.NoteFirst(Arch::kX86_64, "socket", {Constant("family", 2, "AF_INET")}, true);
  ledger.NoteFirst(Arch::kX86_64, "uname", {}, true);
  ledger.NoteFirst(Arch::kX86_64, "getpid", {}, false);  // already passes (log): no line
  EXPECT_EQ(ledger.total(), 3u);
  EXPECT_EQ(ledger.distinct(), 2u);
  EXPECT_EQ(ledger.SuggestedLines(EmptyPolicy()),
            (std::vector<std::string>{"allow socket if family in {AF_INET, AF_NETLINK}", "allow uname"}));
}

TEST(LedgerTest, AValueWithNoNameStaysACondition) {
  // An unknown family is still a value: the line keeps it rather than allowing every family.
  Ledger ledger;
  ledger.NoteFirst(Arch::kX86_64, "socket", {Constant("family", 2, "AF_INET")}, true);
  ledger.NoteFirst(Arch::kX86_64, "socket", {{"family", 99, DecodedArg::Kind::kNumber, "", ""}}, true);
  const auto lines = ledger.SuggestedLines(EmptyPolicy());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("allow socket if family in {AF_INET, ", 0), 0u) << lines[0];
}

TEST(LedgerTest, SuggestLineKeepsTheConditionArguments) {
  EXPECT_EQ(SuggestLine(Arch::kX86_64, "socket", {Constant("family", 16, "AF_NETLINK")}),
            "allow socket if family == AF_NETLINK");
  const std::vector<DecodedArg> mmap = {{"addr", 0, DecodedArg::Kind::kPointer, "", ""},
                                        {"len", 4096, DecodedArg::Kind::kNumber, "", ""},
                                        {"prot", 5, DecodedArg::Kind::kFlags, "PROT_READ|PROT_EXEC", "PROT"}};
  EXPECT_EQ(SuggestLine(Arch::kX86_64, "mmap", mmap), "allow mmap if prot == PROT_READ|PROT_EXEC");
  EXPECT_EQ(SuggestLine(Arch::kX86_64, "uname", {}), "allow uname");
  EXPECT_EQ(SuggestLine(Arch::kX86_64, "", {}), "");
  EXPECT_EQ(KeyArgIndex("ioctl"), 1);
  EXPECT_EQ(KeyArgIndex("getppid"), -1);
}

TEST(LedgerTest, ConditionValuesTellShapesApart) {
  const uint64_t rx[6] = {0, 4096, 5, 0, 0, 0};
  const uint64_t rw[6] = {0, 4096, 3, 0, 0, 0};
  const uint64_t rx_other_len[6] = {0, 8192, 5, 0, 0, 0};
  EXPECT_NE(ConditionShapeKey(Arch::kX86_64, "mmap", rx), ConditionShapeKey(Arch::kX86_64, "mmap", rw));
  EXPECT_EQ(ConditionShapeKey(Arch::kX86_64, "mmap", rx), ConditionShapeKey(Arch::kX86_64, "mmap", rx_other_len));
  EXPECT_EQ(ConditionShapeKey(Arch::kX86_64, "getpid", rx), 0u);
}

TEST(LedgerTest, MissingArchBecomesANote) {
  Ledger ledger;
  ledger.NoteMissingArch("x86");
  const auto lines = ledger.SuggestedLines(EmptyPolicy());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("x86"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::run
