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

TEST(SupervisedPolicyTest, EnforceRoutesReportedDenialsThroughNotifyAndKeepsTheRest) {
  const policy::Policy supervised = SupervisedPolicy(Sample(), RunMode::kEnforce);
  EXPECT_EQ(supervised.default_action, Action::Notify());
  EXPECT_EQ(supervised.badarch_action, Action::Notify());
  const std::vector<Action> expected = {Action::Allow(),  Action::Notify(),     Action::Notify(),
                                        Action::Notify(), Action::KillThread(), Action::Trap(),
                                        Action::Notify(), Action::Trace()};
  ASSERT_EQ(supervised.rules.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(supervised.rules[i].action, expected[i]) << i;
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
  EXPECT_EQ(ResponseFor(Action::KillProcess(), RunMode::kEnforce), (Response{ResponseKind::kKillProcess, 0}));
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
  EXPECT_TRUE(NeedsListener(policy, RunMode::kEnforce));
}

}  // namespace
}  // namespace sysfence::run
