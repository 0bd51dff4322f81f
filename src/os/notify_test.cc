// SPDX-License-Identifier: Apache-2.0
#include "os/notify.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>

#include "core/action.h"
#include "os/spawn.h"

namespace sysfence::os {
namespace {

// Continues every call but uname, which fails with EPERM; counts what it saw.
class DenyUname : public NotifyHandler {
 public:
  NotifyAnswer Decide(const Notification& call) override {
    ++calls;
    if (call.data.nr == SYS_uname) {
      ++unames;
      return {false, EPERM};
    }
    return {};
  }
  void Answered(const Notification&, const NotifyAnswer&, bool delivered) override {
    if (delivered) ++answered;
  }
  int calls = 0, unames = 0, answered = 0;
};

TEST(NotifyListenerTest, AHandlerDecidesEveryCallOfTheProgram) {
  SpawnSpec spec;
  spec.path = "/bin/uname";
  spec.argv = {"uname"};
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kSignals));
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kNoNewPrivs));
  const bpf::Program notify_all = {
      bpf::Instruction{static_cast<uint16_t>(bpf::op::kRet | bpf::op::kK), 0, 0, seccomp_ret::kUserNotif}};
  spec.steps.push_back(SpawnStep::Seccomp(notify_all, /*new_listener=*/true));
  Result<SpawnedChild> spawned = Spawn(spec);
  ASSERT_TRUE(spawned.ok()) << spawned.error().message;
  SpawnedChild child = std::move(spawned).value();
  NotifyListener listener(child.TakeListener());
  ASSERT_GE(listener.fd(), 0);
  DenyUname handler;
  int status = 0;
  bool reaped = false;
  std::vector<WatchedFd> watched;
  watched.push_back({child.pidfd(), [&](short) -> Result<WatchedFd::Next> {
                       reaped = waitpid(child.pid(), &status, 0) == child.pid();
                       return WatchedFd::Next::kStop;
                     }});
  child.Release();
  // Ends at the program's exit: its pidfd, or the listener's hang-up when the filter goes first.
  ASSERT_TRUE(listener.Run(handler, std::move(watched)).ok());
  if (!reaped) waitpid(child.pid(), &status, 0);
  child.Detach();
  // uname(1) reports the failed call and exits 1; every call was answered.
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(handler.unames, 1);
  EXPECT_GT(handler.calls, 5);  // execve, the loader's calls, uname, write, exit_group
  EXPECT_EQ(handler.answered, handler.calls);
}

}  // namespace
}  // namespace sysfence::os
