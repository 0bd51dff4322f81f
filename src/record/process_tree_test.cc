// SPDX-License-Identifier: Apache-2.0
// SeizedByUsOrEnded on real processes: which EPERM from PTRACE_SEIZE lets `record -p` go on.
#include "record/process_tree.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace sysfence::record {
namespace {

// A child that sleeps until killed.
pid_t StartSleeper() {
  const pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  return pid;
}

void Reap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, __WALL);
}

TEST(SeizedByUsOrEndedTest, AProcessThisThreadTracesIsOurs) {
  const pid_t pid = StartSleeper();
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(SeizedByUsOrEnded(pid));  // running and traced by no one: EPERM would be a real refusal
  ASSERT_EQ(ptrace(PTRACE_SEIZE, pid, nullptr, nullptr), 0);
  EXPECT_TRUE(SeizedByUsOrEnded(pid));
  Reap(pid);
}

TEST(SeizedByUsOrEndedTest, AZombieHasEnded) {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  ASSERT_GT(pid, 0);
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);  // a zombie, not reaped
  EXPECT_TRUE(SeizedByUsOrEnded(pid));
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(SeizedByUsOrEnded(pid));  // gone
}

TEST(SeizedByUsOrEndedTest, AProcessAnotherTracerHoldsIsNotOurs) {
  const pid_t pid = StartSleeper();
  ASSERT_GT(pid, 0);
  std::promise<bool> seized;
  std::promise<void> checked;
  std::thread other([&] {
    seized.set_value(ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0);
    checked.get_future().wait();
  });
  ASSERT_TRUE(seized.get_future().get());
  EXPECT_FALSE(SeizedByUsOrEnded(pid));
  checked.set_value();
  other.join();  // the tracer thread's exit detaches it
  Reap(pid);
}

}  // namespace
}  // namespace sysfence::record
