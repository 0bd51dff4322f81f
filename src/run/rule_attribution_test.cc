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

// clone3 answered ENOSYS so glibc falls back to clone: a designed fallback, not a violation.
TEST(RuleAttributionTest, EnosysForAFallbackTwinIsADesignedFallback) {
  policy::Policy policy = Sample();
  policy.rules.push_back(RuleAt(9, Action::Errno(ENOSYS), {"clone3", "rseq", "statx", "getpid"}));
  for (const char* name : {"clone3", "rseq", "statx"}) {
    const DenialAttribution found = AttributeDenial(policy, true, Arch::kX86_64, name, ActionKind::kErrno);
    EXPECT_EQ(found.rule, "p.sfp:9") << name;
    EXPECT_TRUE(found.enosys_fallback) << name;
  }
  // getpid's callers do not fall back: ENOSYS is a denial like any other.
  EXPECT_FALSE(AttributeDenial(policy, true, Arch::kX86_64, "getpid", ActionKind::kErrno).enosys_fallback);
  // Nor is a default of ENOSYS a fallback for syscalls that have no older twin...
  policy.default_action = Action::Errno(ENOSYS);
  EXPECT_FALSE(AttributeDenial(policy, true, Arch::kX86_64, "socket", ActionKind::kErrno).enosys_fallback);
  // ...while it is one for those that do.
  EXPECT_TRUE(AttributeDenial(policy, true, Arch::kX86_64, "openat2", ActionKind::kErrno).enosys_fallback);
}

TEST(RuleAttributionTest, OtherAnswersToAFallbackTwinAreDenials) {
  policy::Policy policy = Sample();
  policy.rules.push_back(RuleAt(9, Action::Errno(EPERM), {"clone3"}));  // breaks thread creation
  policy.rules.push_back(RuleAt(10, Action::Notify(), {"statx"}));     // ENOSYS too, but not as written
  policy.rules.push_back(RuleAt(11, Action::KillProcess(), {"openat2"}));
  EXPECT_FALSE(AttributeDenial(policy, true, Arch::kX86_64, "clone3", ActionKind::kErrno).enosys_fallback);
  EXPECT_FALSE(AttributeDenial(policy, true, Arch::kX86_64, "statx", ActionKind::kErrno).enosys_fallback);
  EXPECT_FALSE(AttributeDenial(policy, true, Arch::kX86_64, "openat2", ActionKind::kKillProcess).enosys_fallback);
  // The default can have decided too (ENOSYS rule conditional): both must answer ENOSYS.
  policy::Policy mixed = Sample();
  mixed.rules.push_back(RuleAt(9, Action::Errno(ENOSYS), {"clone3"}, true));
  EXPECT_FALSE(AttributeDenial(mixed, true, Arch::kX86_64, "clone3", ActionKind::kErrno).enosys_fallback);
  mixed.default_action = Action::Errno(ENOSYS);
  EXPECT_TRUE(AttributeDenial(mixed, true, Arch::kX86_64, "clone3", ActionKind::kErrno).enosys_fallback);
  // An ABI the policy does not list is badarch, whatever the syscall.
  EXPECT_FALSE(AttributeDenial(mixed, false, Arch::kX86, "clone3", ActionKind::kErrno).enosys_fallback);
}

}  // namespace
}  // namespace sysfence::run
