// SPDX-License-Identifier: Apache-2.0
// `sysfence watch` and Landlock: Landlock writes audit records only while audit is enabled, a
// machine-wide setting, so this binary runs alone (RUN_SERIAL). `run --kernel-log` asks Landlock
// to log denials after exec too; `watch --audit-enable` turns audit on and back off.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/live/live_util.h"
#include "tests/watch/watch_process.h"

namespace sysfence::live {
namespace {

int LandlockAbi() {
  const Finished probe = RunCommand({"/usr/bin/python3", "-c",
                                     "import ctypes; print(max(ctypes.CDLL(None).syscall(444, None, 0, 1), 0))"});
  return probe.status == 0 ? std::stoi(probe.out) : 0;
}

std::string SkipReason() {
  std::string reason = LiveSkipReason();
  if (!reason.empty()) return reason;
  if (geteuid() != 0) return "needs root: the audit stream and audit settings [feature: root]";
  if (LandlockAbi() < 7) return "Landlock audit needs Landlock ABI 7 [feature: landlock-abi-7]";
  return {};
}

// The audit `enabled` flag a fresh watcher reports in its start record.
int AuditEnabledNow(const TempDir& dir) {
  const std::string out = dir.Path("probe.jsonl");
  std::remove(out.c_str());
  RunCommand({SysfenceBinary(), "watch", "--output", out, "--lock-file", dir.Path("probe.lock"), "--duration", "0.1"});
  const auto lines = ReadEvents(out);
  if (lines.empty() || !lines.front()["audit"].is_object()) return -1;
  return lines.front()["audit"]["enabled"];
}

TEST(WatchSerialLiveTest, LandlockDenialsOfARunAreEventsWithTheLineThatWouldAllowThem) {
  if (const std::string reason = SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const int enabled_before = AuditEnabledNow(dir);
  ASSERT_GE(enabled_before, 0);
  const std::string denied_dir = dir.Path("denied");
  mkdir(denied_dir.c_str(), 0755);
  const std::string events = dir.Path("events.jsonl");
  BackgroundProcess watch({SysfenceBinary(), "watch", "--audit-enable", "--output", events, "--lock-file",
                           dir.Path("watch.lock")},
                          dir.Path("watch.out"), dir.Path("watch.err"));
  ASSERT_TRUE(WaitForText(events, "\"type\":\"start\"")) << ReadFile(dir.Path("watch.err"));
  EXPECT_EQ(ReadEvents(events).front()["audit"]["enabled"], 1);

  // The policy lets the shell read and run everything, and write nowhere.
  const std::string policy = dir.Write("fs.sfp", "arch x86_64\ndefault allow\nfs read exec /\n");
  const Finished run = RunCommand({SysfenceBinary(), "run", "--quiet", "--kernel-log", "--landlock", "require",
                                   "--policy", policy, "--", "/bin/sh", "-c", "echo x > " + denied_dir + "/new"});
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.err.find("Permission denied"), std::string::npos) << run.err;
  ASSERT_TRUE(WaitForText(events, "\"type\":\"landlock\"")) << ReadFile(events);
  watch.Signal(SIGTERM);
  EXPECT_EQ(watch.Wait(), 0);

  nlohmann::json denial;
  for (const auto& event : ReadEvents(events)) {
    if (event["type"] == "landlock" && event["landlock"].value("path", "") == denied_dir) denial = event;
  }
  ASSERT_FALSE(denial.is_null()) << ReadFile(events);
  EXPECT_EQ(denial["comm"], "sh");
  EXPECT_EQ(denial["exe"], "/usr/bin/dash");
  EXPECT_EQ(denial["outcome"], "denied");
  EXPECT_EQ(denial["syscall"], "openat");
  EXPECT_EQ(denial["landlock"]["blockers"][0], "fs.make_reg");
  EXPECT_EQ(denial["suggest"], "fs make-reg " + denied_dir);
  EXPECT_GT(denial["pid"].get<int>(), 0);
  // Audit is back as it was.
  EXPECT_EQ(AuditEnabledNow(dir), enabled_before);
}

TEST(WatchSerialLiveTest, AuditDisabledIsSaidNotHidden) {
  if (const std::string reason = SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  if (AuditEnabledNow(dir) != 0) GTEST_SKIP() << "audit is enabled on this machine (auditd): nothing to say";
  const Finished watch = RunCommand({SysfenceBinary(), "watch", "--output", dir.Path("e.jsonl"), "--lock-file",
                                     dir.Path("w.lock"), "--duration", "0.2"});
  EXPECT_EQ(watch.status, 0);
  EXPECT_NE(watch.err.find("audit is disabled: seccomp records still arrive, but Landlock logs no denials"),
            std::string::npos)
      << watch.err;
}

}  // namespace
}  // namespace sysfence::live
