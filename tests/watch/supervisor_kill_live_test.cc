// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 4: killing `sysfence run` with SIGKILL weakens no rule. The program outlives its
// supervisor and then makes every denied call: errno, trap, kill-thread and kill still hold (the
// kernel filter answers them), `log` calls fail closed (ENOSYS), and with --kernel-log the
// kernel's records of the trap/kill decisions still reach `sysfence watch` as events.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "tests/live/live_util.h"
#include "tests/watch/watch_process.h"

namespace sysfence::live {
namespace {

constexpr const char* kPolicy =
    "arch x86_64\n"
    "default allow\n"
    "errno EPERM uname\n"
    "trap socket if family == AF_NETLINK\n"
    "kill-thread socket if family == AF_INET\n"
    "kill personality\n"
    "log getppid\n";

// Each denied call of the policy, its exit status after it ("s=N").
std::string Calls(const std::string& probe) {
  std::string script;
  for (const char* call : {"uname", "socket-netlink", "socket-inet", "personality", "getppid"}) {
    script += probe + " call " + call + "; echo s=$?; ";
  }
  return script;
}

TEST(SupervisorKillLiveTest, NoRuleWeakensWhenTheSupervisorIsKilled) {
  if (const std::string reason = LiveSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  if (geteuid() != 0) GTEST_SKIP() << "needs root to read the audit stream [feature: root]";
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  const std::string policy = dir.Write("p.sfp", kPolicy);
  const std::string out = dir.Path("after.txt");
  const std::string ready = dir.Path("ready");
  // Control: without sysfence every call succeeds (so the rules are what changes the answers).
  const Finished control = RunCommand({"/bin/sh", "-c", Calls(probe)});
  EXPECT_EQ(control.out.find("errno=EPERM"), std::string::npos) << control.out;
  EXPECT_EQ(control.out.find("s=159"), std::string::npos) << control.out;

  const std::string events = dir.Path("events.jsonl");
  BackgroundProcess watch({SysfenceBinary(), "watch", "--output", events, "--lock-file", dir.Path("watch.lock")},
                          dir.Path("watch.out"), dir.Path("watch.err"));
  ASSERT_TRUE(WaitForText(events, "\"type\":\"start\"")) << ReadFile(dir.Path("watch.err"));
  // The program waits until its supervisor is gone, then calls. (It looks in /proc: Landlock's
  // signal scope keeps it from signalling sysfence, even with kill -0.)
  const std::string script = "exec > " + out + " 2>&1; : > " + ready + "; while [ -d /proc/$SUPERVISOR ]; do " +
                             "sleep 0.05; done; " + Calls(probe);
  BackgroundProcess run({"/bin/sh", "-c",
                         "SUPERVISOR=$$ exec " + SysfenceBinary() + " run --quiet --kernel-log --policy " + policy +
                             " -- /bin/sh -c '" + script + "'"},
                        dir.Path("run.out"), dir.Path("run.err"));
  ASSERT_TRUE(WaitFor([&] { return access(ready.c_str(), F_OK) == 0; })) << ReadFile(dir.Path("run.err"));
  run.Signal(SIGKILL);
  EXPECT_EQ(run.Wait(), 128 + SIGKILL);
  const auto finished_calls = [&] {
    const std::string text = ReadFile(out);
    size_t count = 0;
    for (size_t at = 0; (at = text.find("s=", at)) != std::string::npos; at += 2) ++count;
    return count;
  };
  ASSERT_TRUE(WaitFor([&] { return finished_calls() >= 5; }, 10000))
      << ReadFile(out);
  EXPECT_EQ(ReadFile(out),
            "ret=-1 errno=EPERM\ns=0\n"    // errno: still the filter's answer
            "Bad system call\ns=159\n"     // trap: SIGSYS
            "Bad system call\ns=159\n"     // kill-thread: the (only) thread is killed, by SIGSYS
            "Bad system call\ns=159\n"     // kill: the process is killed
            "ret=-1 errno=ENOSYS\ns=0\n")  // log: no supervisor to continue it, so it fails closed
      << ReadFile(out);
  // The kernel's records of those decisions reached the watcher, supervisor or not.
  ASSERT_TRUE(WaitFor([&] {
    int seen = 0;
    for (const auto& event : ReadEvents(events)) seen += event.value("exe", "") == probe;
    return seen >= 5;
  })) << ReadFile(events);
  watch.Signal(SIGTERM);
  EXPECT_EQ(watch.Wait(), 0);
  std::vector<std::string> outcomes;
  for (const auto& event : ReadEvents(events)) {
    if (event.value("exe", "") == probe) outcomes.push_back(event["syscall"].get<std::string>() + ":" +
                                                                  event["outcome"].get<std::string>());
  }
  // The `log` rule's notification is logged too (it went nowhere: ENOSYS).
  EXPECT_EQ(outcomes, (std::vector<std::string>{"uname:denied", "socket:trapped", "socket:thread-killed",
                                                "personality:killed", "getppid:notified"}));
}

}  // namespace
}  // namespace sysfence::live
