// SPDX-License-Identifier: Apache-2.0
#include "run/supervised_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <vector>

#include "policy/evaluate.h"

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

namespace sysfence::run {
namespace {

SeccompData CallOf(uint32_t nr) {
  SeccompData data{};
  data.nr = static_cast<int32_t>(nr);
  data.arch = 0xc000003e;  // AUDIT_ARCH_X86_64
  return data;
}

// Monitor mode observing the fs/net rules: the path and port syscalls reach the supervisor even
// where the policy allows them; nothing else changes, and enforce mode ignores the observation.
TEST(SupervisedPolicyTest, MonitorObservingFsRulesNotifiesPathSyscallsTheyAllow) {
  policy::Policy policy = Sample();
  policy::Rule allow_open;
  allow_open.action = Action::Allow();
  allow_open.targets = {"openat", "getpid", "bind"};
  policy.rules.push_back(allow_open);
  const policy::Policy observed = SupervisedPolicy(policy, RunMode::kMonitor, {true, false});
  EXPECT_EQ(policy::Evaluate(observed, CallOf(257)).action, Action::Notify());   // openat
  EXPECT_EQ(policy::Evaluate(observed, CallOf(59)).action, Action::Notify());    // execve (default errno)
  EXPECT_EQ(policy::Evaluate(observed, CallOf(39)).action, Action::Allow());     // getpid
  EXPECT_EQ(policy::Evaluate(observed, CallOf(49)).action, Action::Allow());     // bind: no net rules
  const policy::Policy with_net = SupervisedPolicy(policy, RunMode::kMonitor, {false, true});
  EXPECT_EQ(policy::Evaluate(with_net, CallOf(49)).action, Action::Notify());
  EXPECT_EQ(policy::Evaluate(with_net, CallOf(257)).action, Action::Allow());
  // Enforce mode: the kernel's Landlock decides; nothing is added.
  EXPECT_EQ(SupervisedPolicy(policy, RunMode::kEnforce, {true, true}), SupervisedPolicy(policy, RunMode::kEnforce));
  EXPECT_TRUE(NeedsListener(policy::Policy{}, RunMode::kMonitor, {true, false}));
  EXPECT_FALSE(NeedsListener(policy::Policy{}, RunMode::kEnforce, {true, false}));
}

TEST(SupervisedPolicyTest, ObservedSyscallsAreThePathAndPortOnes) {
  const auto fs = LandlockObservedSyscalls(true, false);
  const auto net = LandlockObservedSyscalls(false, true);
  EXPECT_NE(std::find(fs.begin(), fs.end(), "renameat2"), fs.end());
  EXPECT_NE(std::find(fs.begin(), fs.end(), "execve"), fs.end());
  EXPECT_EQ(std::find(fs.begin(), fs.end(), "bind"), fs.end());
  EXPECT_EQ(std::vector<std::string_view>(net.begin(), net.end()), (std::vector<std::string_view>{"bind", "connect"}));
  EXPECT_EQ(LandlockObservedSyscalls(true, true).size(), fs.size() + net.size());
  EXPECT_TRUE(LandlockObservedSyscalls(false, false).empty());
}

}  // namespace
}  // namespace sysfence::run
