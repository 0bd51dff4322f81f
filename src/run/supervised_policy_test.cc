// SPDX-License-Identifier: Apache-2.0
#include "run/supervised_policy.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace sysfence::run {
namespace {

policy::Policy Sample() {
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  policy.default_action = Action::Errno(EPERM);
  policy.badarch_action = Action::KillProcess();
  for (Action action : {Action::Allow(), Action::Log(), Action::Errno(EACCES), Action::KillProcess(),
                        Action::KillThread(), Action::Trap(), Action::Notify(), Action::Trace()}) {
    policy::Rule rule;
    rule.action = action;
    rule.targets = {"uname"};
    policy.rules.push_back(rule);
  }
  return policy;
}

// Enforce mode: every denial is the filter's own return (nothing the program can reach decides
// it); only `log` is notified, and `notify` becomes the kernel's own ENOSYS.
TEST(SupervisedPolicyTest, EnforceKeepsEveryDenialInTheFilterAndNotifiesOnlyLog) {
  const policy::Policy supervised = SupervisedPolicy(Sample(), RunMode::kEnforce);
  EXPECT_EQ(supervised.default_action, Sample().default_action);
  EXPECT_EQ(supervised.badarch_action, Sample().badarch_action);
  ASSERT_EQ(supervised.rules.size(), Sample().rules.size());
  for (size_t i = 0; i < supervised.rules.size(); ++i) {
    const Action original = Sample().rules[i].action;
    Action expected = original;
    if (original.kind == ActionKind::kLog) expected = Action::Notify();
    if (original.kind == ActionKind::kNotify) expected = Action::Errno(ENOSYS);
    EXPECT_EQ(supervised.rules[i].action, expected) << i;
    EXPECT_NE(supervised.rules[i].action.kind == ActionKind::kNotify, original.kind != ActionKind::kLog) << i;
  }
  // Everything but the actions is untouched.
  EXPECT_EQ(supervised.arches, Sample().arches);
  EXPECT_EQ(supervised.rules[2].targets, Sample().rules[2].targets);
}

TEST(SupervisedPolicyTest, MonitorNotifiesEverythingButAllow) {
  const policy::Policy supervised = SupervisedPolicy(Sample(), RunMode::kMonitor);
  EXPECT_EQ(supervised.rules[0].action, Action::Allow());
  for (size_t i = 1; i < supervised.rules.size(); ++i) EXPECT_EQ(supervised.rules[i].action, Action::Notify()) << i;
}

TEST(SupervisedPolicyTest, ResponsesRepeatThePolicyInEnforceAndContinueInMonitor) {
  EXPECT_EQ(ResponseFor(Action::Errno(EACCES), RunMode::kEnforce), (Response{ResponseKind::kFail, EACCES}));
  EXPECT_EQ(ResponseFor(Action::Log(), RunMode::kEnforce), (Response{ResponseKind::kContinue, 0}));
  // A denial is never notified in enforce mode; should the supervisor see one, it denies.
  EXPECT_EQ(ResponseFor(Action::KillProcess(), RunMode::kEnforce), (Response{ResponseKind::kFail, ENOSYS}));
  EXPECT_EQ(ResponseFor(Action::Notify(), RunMode::kEnforce), (Response{ResponseKind::kFail, ENOSYS}));
  for (Action action : {Action::Errno(EACCES), Action::KillProcess(), Action::Notify(), Action::Trap()}) {
    EXPECT_EQ(ResponseFor(action, RunMode::kMonitor).kind, ResponseKind::kContinue);
  }
}

TEST(SupervisedPolicyTest, ListenerOnlyWhenSomethingIsReported) {
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  policy.default_action = Action::Allow();
  policy.badarch_action = Action::KillThread();
  EXPECT_FALSE(NeedsListener(policy, RunMode::kEnforce));
  EXPECT_TRUE(NeedsListener(policy, RunMode::kMonitor));  // monitor reports the badarch kill-thread
  policy.badarch_action = Action::KillProcess();
  EXPECT_FALSE(NeedsListener(policy, RunMode::kEnforce));  // a kill is the kernel's, never notified
  policy::Rule log;
  log.action = Action::Log();
  log.targets = {"uname"};
  policy.rules.push_back(log);
  EXPECT_TRUE(NeedsListener(policy, RunMode::kEnforce));
}

}  // namespace
}  // namespace sysfence::run
