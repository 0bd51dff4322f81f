// SPDX-License-Identifier: Apache-2.0
#include "run/rule_attribution.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace sysfence::run {
namespace {

policy::Rule RuleAt(int line, Action action, std::vector<std::string> targets, bool conditional = false) {
  policy::Rule rule;
  rule.action = action;
  rule.targets = std::move(targets);
  if (conditional) {
    policy::Condition condition;
    condition.compare = {0, policy::CompareOp::kEq, 1};
    rule.condition = condition;
  }
  rule.span.file = "p.sfp";
  rule.span.line = line;
  return rule;
}

policy::Policy Sample() {
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  policy.default_action = Action::Errno(EPERM);
  policy.badarch_action = Action::KillProcess();
  policy.rules = {RuleAt(3, Action::Errno(EACCES), {"uname"}),
                  RuleAt(4, Action::Errno(EPERM), {"ioctl"}, true),
                  RuleAt(5, Action::Errno(EPERM), {"ioctl"}, true),
                  RuleAt(6, Action::Allow(), {"ioctl"}),
                  RuleAt(7, Action::Notify(), {"getppid"}),
                  RuleAt(8, Action::KillProcess(), {"@raw-io"})};
  return policy;
}

TEST(RuleAttributionTest, AnUnconditionalRuleIsExactAndKeepsItsErrno) {
  const DenialAttribution found = AttributeDenial(Sample(), true, Arch::kX86_64, "uname", ActionKind::kErrno);
  EXPECT_EQ(found.rule, "p.sfp:3");
  EXPECT_EQ(found.action, Action::Errno(EACCES));  // the audit record does not carry the errno
  EXPECT_EQ(found.by, policy::DecidedBy::kRule);
}

TEST(RuleAttributionTest, ConditionalRulesBeforeAnAllowAreAllCandidates) {
  const DenialAttribution found = AttributeDenial(Sample(), true, Arch::kX86_64, "ioctl", ActionKind::kErrno);
  EXPECT_EQ(found.rule, "one of p.sfp:4, p.sfp:5");  // the default cannot decide: line 6 allows
}

TEST(RuleAttributionTest, NoRuleMeansTheDefault) {
  const DenialAttribution found = AttributeDenial(Sample(), true, Arch::kX86_64, "socket", ActionKind::kErrno);
  EXPECT_EQ(found.rule, "default");
  EXPECT_EQ(found.by, policy::DecidedBy::kDefault);
  EXPECT_EQ(found.action, Action::Errno(EPERM));
}

TEST(RuleAttributionTest, NotifyRulesAreTheFiltersEnosys) {
  const DenialAttribution found = AttributeDenial(Sample(), true, Arch::kX86_64, "getppid", ActionKind::kErrno);
  EXPECT_EQ(found.rule, "p.sfp:7");
  EXPECT_EQ(found.action, Action::Notify());
}

TEST(RuleAttributionTest, GroupsAreExpandedAndTheActionKindMustMatch) {
  const DenialAttribution kill = AttributeDenial(Sample(), true, Arch::kX86_64, "iopl", ActionKind::kKillProcess);
  EXPECT_EQ(kill.rule, "p.sfp:8");
  // A kill record for uname matches no rule: uname's rule returns errno. Nothing better than default.
  const DenialAttribution odd = AttributeDenial(Sample(), true, Arch::kX86_64, "uname", ActionKind::kKillProcess);
  EXPECT_EQ(odd.rule, "default");
}

TEST(RuleAttributionTest, UnlistedAbiIsBadarch) {
  const DenialAttribution found = AttributeDenial(Sample(), false, Arch::kX86, "getpid", ActionKind::kKillProcess);
  EXPECT_EQ(found.rule, "badarch");
  EXPECT_EQ(found.by, policy::DecidedBy::kBadArch);
  EXPECT_EQ(found.action, Action::KillProcess());
}

}  // namespace
}  // namespace sysfence::run
