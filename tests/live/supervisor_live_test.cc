// SPDX-License-Identifier: Apache-2.0
// The supervisor against the kernel, driven step by step: targets that die or are interrupted while
// their call waits at the supervisor, and FD_SYNC_WAKE_UP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "codegen/compile.h"
#include "run/launcher.h"
#include "run/supervised_policy.h"
#include "run/supervisor.h"
#include "tests/live/live_util.h"

namespace sysfence::run {
namespace {

// A policy that allows everything but gives `syscall` the action `action`.
policy::Policy RuleFor(const std::string& syscall, Action action) {
  policy::Policy policy;
  policy.arches = {NativeArch()};
  policy.default_action = Action::Allow();
  policy::Rule rule;
  rule.action = action;
  rule.targets = {syscall};
  policy.rules.push_back(rule);
  return policy;
}

// Starts sf_probe ARGS under the supervised form of `policy`; the child has exec'd on return.
LaunchedChild Start(const policy::Policy& policy, RunMode mode, const std::vector<std::string>& args) {
  LaunchSpec spec;
  spec.path = live::ProbeBinary();
  spec.argv = {spec.path};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  auto filter = codegen::Compile(SupervisedPolicy(policy, mode));
  EXPECT_TRUE(filter.ok()) << filter.error().message;
  spec.filter = filter.value();
  auto child = StartChild(spec);
  EXPECT_TRUE(child.ok()) << child.error().message;
  LaunchedChild started = std::move(child).value();
  auto exec = ReleaseAndAwaitExec(started);
  EXPECT_TRUE(exec.ok()) << exec.error().message;
  return started;
}

class SupervisorLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = live::LiveSkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    ASSERT_EQ(pipe(event_pipe_), 0);
  }
  void TearDown() override {
    close(event_pipe_[0]);
  }
  std::string ReadEvents() {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = read(event_pipe_[0], buffer, sizeof(buffer))) > 0) text.append(buffer, static_cast<size_t>(n));
    return text;
  }
  int event_pipe_[2] = {-1, -1};
};

TEST_F(SupervisorLiveTest, TargetKilledWhileItsCallWaitsIsAbortedNotActedOn) {
  const policy::Policy policy = RuleFor("uname", Action::Log());
  LaunchedChild child = Start(policy, RunMode::kEnforce, {"call", "uname"});
  {
    BufferedWriter json(event_pipe_[1], true);
    SupervisorOptions options;
    options.policy = &policy;
    options.json = &json;
    options.after_receive = [&child](uint64_t, int tid) {
      EXPECT_EQ(tid, child.pid);
      kill(child.pid, SIGKILL);
      int status = 0;
      waitpid(child.pid, &status, 0);  // gone for good before the supervisor reads or answers
      EXPECT_TRUE(WIFSIGNALED(status));
    };
    Supervisor supervisor(child.listener_fd, options);
    child.listener_fd = -1;
    auto handled = supervisor.HandleOne();
    ASSERT_TRUE(handled.ok()) << handled.error().message;
    EXPECT_TRUE(handled.value());
    EXPECT_EQ(supervisor.stats().invalid_reads, 1u);
    EXPECT_EQ(supervisor.stats().aborted, 1u);
  }
  const auto event = nlohmann::json::parse(ReadEvents());
  EXPECT_EQ(event["syscall"], "uname");
  EXPECT_EQ(event["outcome"], "aborted");
  close(child.pidfd);
}

// Supervisor options that hold the first notification for 400 ms, past the target's SIGALRM at
// 100 ms, so that call is interrupted while the supervisor holds it.
SupervisorOptions HoldingTheFirstNotification(const policy::Policy& policy, BufferedWriter& json) {
  SupervisorOptions options;
  options.policy = &policy;
  options.json = &json;
  options.after_receive = [calls = std::make_shared<int>(0)](uint64_t, int) {
    if ((*calls)++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(400));
  };
  return options;
}

// Waits for the target and expects a clean exit.
void ExpectCleanExit(LaunchedChild& child) {
  int status = 0;
  waitpid(child.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(child.pidfd);
}

TEST_F(SupervisorLiveTest, InterruptedCallGetsEnoentAndItsRestartIsNotCountedTwice) {
  const policy::Policy policy = RuleFor("uname", Action::Log());
  LaunchedChild child = Start(policy, RunMode::kEnforce, {"alarm-call", "uname"});
  BufferedWriter json(event_pipe_[1], true);
  Supervisor supervisor(child.listener_fd, HoldingTheFirstNotification(policy, json));
  child.listener_fd = -1;
  ASSERT_TRUE(supervisor.HandleOne().ok());
  EXPECT_EQ(supervisor.stats().aborted, 1u);
  ASSERT_TRUE(supervisor.HandleOne().ok());  // the restarted call (SA_RESTART)
  EXPECT_EQ(supervisor.stats().restarts, 1u);
  EXPECT_EQ(supervisor.stats().notifications, 2u);
  EXPECT_EQ(supervisor.Summary(0).reported_calls, 1u);
  ExpectCleanExit(child);
}

// Another thread's notification (getppid at 50 ms) arrives between the interrupted call and its
// restart: the restart is still recognized (per thread), not counted as a new call.
TEST_F(SupervisorLiveTest, RestartIsRecognizedAfterAnotherThreadsCall) {
  policy::Policy policy = RuleFor("uname", Action::Log());
  policy::Rule other;
  other.action = Action::Log();
  other.targets = {"getppid"};
  policy.rules.push_back(other);
  LaunchedChild child = Start(policy, RunMode::kEnforce, {"alarm-call-beside", "uname", "getppid"});
  BufferedWriter json(event_pipe_[1], true);
  Supervisor supervisor(child.listener_fd, HoldingTheFirstNotification(policy, json));
  child.listener_fd = -1;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(supervisor.HandleOne().ok()) << i;  // uname, getppid, uname again
  EXPECT_EQ(supervisor.stats().notifications, 3u);
  EXPECT_EQ(supervisor.stats().aborted, 1u);
  EXPECT_EQ(supervisor.stats().restarts, 1u);
  EXPECT_EQ(supervisor.Summary(0).reported_calls, 2u);
  ExpectCleanExit(child);
}

TEST_F(SupervisorLiveTest, SyncWakeUpIsAcceptedOnKernelsThatHaveIt) {
  utsname name{};
  uname(&name);
  int major = 0, minor = 0;
  std::sscanf(name.release, "%d.%d", &major, &minor);
  if (major < 6 || (major == 6 && minor < 6)) GTEST_SKIP() << "FD_SYNC_WAKE_UP needs Linux 6.6 [feature: kernel-6.6]";
  const policy::Policy policy = RuleFor("uname", Action::Log());
  LaunchedChild child = Start(policy, RunMode::kEnforce, {"call", "uname"});
  SupervisorOptions options;
  options.policy = &policy;
  Supervisor supervisor(child.listener_fd, options);
  child.listener_fd = -1;
  EXPECT_TRUE(supervisor.EnableSyncWakeUp());
  ASSERT_TRUE(supervisor.HandleOne().ok());
  int status = 0;
  waitpid(child.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(child.pidfd);
}

TEST_F(SupervisorLiveTest, MonitorModeContinuesTheCall) {
  const policy::Policy policy = RuleFor("uname", Action::KillProcess());
  LaunchedChild child = Start(policy, RunMode::kMonitor, {"must-call", "uname"});
  BufferedWriter json(event_pipe_[1], true);
  SupervisorOptions options;
  options.policy = &policy;
  options.mode = RunMode::kMonitor;
  options.json = &json;
  Supervisor supervisor(child.listener_fd, options);
  child.listener_fd = -1;
  ASSERT_TRUE(supervisor.HandleOne().ok());
  int status = 0;
  waitpid(child.pid, &status, 0);
  // Not killed, and the call itself succeeded (must-call exits 3 on failure): monitor blocks nothing.
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(supervisor.KilledForPolicy(child.pid));
  close(child.pidfd);
}

}  // namespace
}  // namespace sysfence::run
