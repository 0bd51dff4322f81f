// SPDX-License-Identifier: Apache-2.0
// `sysfence watch` against the real kernel: violations of programs it did not start (filters
// installed by `sysfence run --kernel-log`), the container of their cgroup, the outputs (JSON
// Lines reopened on SIGHUP, Prometheus metrics), and every way it refuses to start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/live/live_util.h"
#include "tests/watch/watch_process.h"

namespace sysfence::live {
namespace {

constexpr const char* kContainerId = "5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5";

std::string RootSkipReason() {
  std::string reason = LiveSkipReason();
  if (!reason.empty()) return reason;
  if (geteuid() != 0) return "needs root: the audit stream needs CAP_AUDIT_READ [feature: root]";
  return {};
}

// A watcher writing to DIR/events.jsonl, locked by DIR/watch.lock.
struct Watch {
  Watch(const TempDir& dir, std::vector<std::string> extra = {})
      : events(dir.Path("events.jsonl")), err(dir.Path("watch.err")) {
    std::vector<std::string> argv{SysfenceBinary(), "watch", "--output", events, "--lock-file", dir.Path("watch.lock")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<BackgroundProcess>(argv, dir.Path("watch.out"), err);
    started = WaitForText(events, "\"type\":\"start\"");
  }
  // SIGTERM, then the status.
  int Stop() {
    process->Signal(SIGTERM);
    return process->Wait();
  }
  std::string events;
  std::string err;
  std::unique_ptr<BackgroundProcess> process;
  bool started = false;
};

// Runs the test's sf_probe copy (DIR/sf_probe) `call uname` under a policy whose only rule is
// `ACTION uname`, through `run --kernel-log`.
Finished DenyUname(const TempDir& dir, const std::string& action, const std::string& prefix = "") {
  const std::string policy = dir.Write("deny.sfp", "arch x86_64\ndefault allow\n" + action + " uname\n");
  const std::string command = prefix + "exec " + SysfenceBinary() + " run --quiet --kernel-log --policy " + policy +
                              " -- " + dir.Path("sf_probe") + " call uname";
  return RunCommand({"/bin/sh", "-c", command});
}

// The syscall events of `exe` (a test's own probe copy).
std::vector<nlohmann::json> Violations(const std::string& path, const std::string& exe) {
  std::vector<nlohmann::json> found;
  for (const nlohmann::json& event : ReadEvents(path)) {
    if (event.value("type", "") == "syscall" && event.value("exe", "") == exe) found.push_back(event);
  }
  return found;
}

TEST(WatchLiveTest, SeccompDecisionsOfAnotherProgramBecomeEventsWithTheirContainer) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  // A cgroup named the way Docker's systemd driver names a container's.
  // The unified hierarchy: /sys/fs/cgroup on a cgroup v2 host, /sys/fs/cgroup/unified on a hybrid one.
  const std::string unified =
      access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0 ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
  const std::string cgroup = unified + "/system.slice/docker-" + kContainerId + ".scope";
  ASSERT_EQ(RunCommand({"/bin/mkdir", "-p", cgroup}).status, 0);
  Watch watch(dir);
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  // The container is read from the process's cgroup while it exists (documented), so the probe
  // stays alive until the watcher has written its event; then it is released.
  const std::string policy = dir.Write("deny.sfp", "arch x86_64\ndefault allow\nerrno EPERM uname\n");
  const std::string release = dir.Path("release");
  BackgroundProcess denied({"/bin/sh", "-c",
                            "echo $$ > " + cgroup + "/cgroup.procs && exec " + SysfenceBinary() +
                                " run --quiet --kernel-log --policy " + policy + " -- " + probe +
                                " call-then-wait uname " + release},
                           dir.Path("probe.out"), dir.Path("probe.err"));
  const bool seen = WaitForText(watch.events, "\"exe\":\"" + probe + "\"");
  std::ofstream(release) << "go\n";
  EXPECT_EQ(denied.Wait(), 0) << ReadFile(dir.Path("probe.err"));
  EXPECT_EQ(ReadFile(dir.Path("probe.out")), "ret=-1 errno=EPERM\n") << ReadFile(dir.Path("probe.err"));
  ASSERT_TRUE(seen) << ReadFile(watch.events);
  EXPECT_EQ(watch.Stop(), 0) << ReadFile(watch.err);
  rmdir(cgroup.c_str());

  const auto events = Violations(watch.events, probe);
  ASSERT_EQ(events.size(), 1u) << ReadFile(watch.events);
  const nlohmann::json& event = events[0];
  EXPECT_EQ(event["schema"], 2);
  EXPECT_EQ(event["source"], "audit");
  EXPECT_EQ(event["mode"], "watch");
  EXPECT_EQ(event["syscall"], "uname");
  EXPECT_EQ(event["arch"], "x86_64");
  EXPECT_EQ(event["action"], "errno");
  EXPECT_EQ(event["outcome"], "denied");
  EXPECT_EQ(event["uid"], 0);
  EXPECT_EQ(event["comm"], "sf_probe");
  EXPECT_EQ(event["suggest"], "allow uname");
  ASSERT_TRUE(event["container"].is_object()) << event.dump();
  EXPECT_EQ(event["container"]["runtime"], "docker");
  EXPECT_EQ(event["container"]["id"], kContainerId);
  const auto lines = ReadEvents(watch.events);
  EXPECT_EQ(lines.front()["type"], "start");
  EXPECT_EQ(lines.front()["source"], "netlink");
  EXPECT_EQ(lines.back()["type"], "stop");
  EXPECT_GE(lines.back()["violations"].get<int>(), 1);
  EXPECT_TRUE(lines.back()["error"].is_null());
}

TEST(WatchLiveTest, TrapKillThreadAndKillAreEventsWhateverRunDoes) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  Watch watch(dir);
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  EXPECT_EQ(DenyUname(dir, "trap").status, 128 + SIGSYS);
  EXPECT_EQ(DenyUname(dir, "kill-thread").status, 128 + SIGSYS);
  EXPECT_EQ(DenyUname(dir, "kill").status, 128 + SIGSYS);
  ASSERT_TRUE(WaitFor([&] { return Violations(watch.events, probe).size() >= 3; })) << ReadFile(watch.events);
  EXPECT_EQ(watch.Stop(), 0);
  std::vector<std::string> outcomes;
  for (const auto& event : Violations(watch.events, probe)) outcomes.push_back(event["outcome"]);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"trapped", "thread-killed", "killed"}));
}

TEST(WatchLiveTest, AlertsRunOncePerKindOfViolation) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  const std::string alerts = dir.Path("alerts.txt");
  // Only this test's probe alerts: other programs' violations are filtered by the command.
  const std::string command = "grep -F '\"exe\":\"" + probe + "\"' >> " + alerts + " || true";
  Watch watch(dir, {"--alert-rate", "1000", "--alert-burst", "1000", "--alert-exec", command});
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  for (int i = 0; i < 3; ++i) DenyUname(dir, "errno EPERM");
  DenyUname(dir, "trap");  // another kind: the action differs
  ASSERT_TRUE(WaitFor([&] { return Violations(watch.events, probe).size() >= 4; })) << ReadFile(watch.events);
  EXPECT_EQ(watch.Stop(), 0);  // runs the queued alerts before it exits
  std::vector<nlohmann::json> sent;
  std::istringstream lines(ReadFile(alerts));
  for (std::string line; std::getline(lines, line);) sent.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(sent.size(), 2u) << ReadFile(alerts);
  EXPECT_EQ(sent[0]["action"], "errno");
  EXPECT_EQ(sent[1]["action"], "trap");
  EXPECT_GE(ReadEvents(watch.events).back()["alerts_deduplicated"].get<int>(), 2);
}

TEST(WatchLiveTest, SighupReopensTheOutputForLogRotation) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  Watch watch(dir);
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  DenyUname(dir, "errno EPERM");
  ASSERT_TRUE(WaitForText(watch.events, "\"exe\":\"" + probe + "\""));
  const std::string rotated = dir.Path("events.jsonl.1");
  ASSERT_EQ(rename(watch.events.c_str(), rotated.c_str()), 0);
  watch.process->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return access(watch.events.c_str(), F_OK) == 0; })) << "not reopened";
  DenyUname(dir, "errno EACCES");
  ASSERT_TRUE(WaitForText(watch.events, "\"exe\":\"" + probe + "\"")) << ReadFile(watch.events);
  EXPECT_EQ(watch.Stop(), 0);
  EXPECT_EQ(Violations(rotated, probe).size(), 1u);
  EXPECT_EQ(Violations(watch.events, probe).size(), 1u);
  EXPECT_EQ(ReadEvents(watch.events).back()["reopened"], 1);
}

// SIGUSR1 prints one status line and the watch goes on; --progress prints it on its own.
TEST(WatchLiveTest, Sigusr1AndProgressPrintAStatusLine) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  Watch watch(dir);
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  DenyUname(dir, "errno EPERM");
  ASSERT_TRUE(WaitForText(watch.events, "\"exe\":\"" + probe + "\""));
  watch.process->Signal(SIGUSR1);
  ASSERT_TRUE(WaitForText(watch.err, "sysfence: status: watching for ")) << ReadFile(watch.err);
  EXPECT_TRUE(watch.process->Running());
  const std::string err = ReadFile(watch.err);
  const std::regex status(R"(status: watching for [0-9.]+ s: [1-9][0-9]* records, [1-9][0-9]* violations, [1-9][0-9]* events written, [0-9]+ lost)");
  EXPECT_TRUE(std::regex_search(err, status)) << err;
  EXPECT_EQ(watch.Stop(), 0);

  TempDir second;
  Watch progress(second, {"--progress", "--progress-interval", "0.2"});
  ASSERT_TRUE(progress.started) << ReadFile(progress.err);
  ASSERT_TRUE(WaitFor([&] {
    const std::string text = ReadFile(progress.err);
    size_t lines = 0;
    for (size_t at = text.find("sysfence: status:"); at != std::string::npos; at = text.find("sysfence: status:", at + 1)) {
      ++lines;
    }
    return lines >= 2;
  })) << ReadFile(progress.err);
  EXPECT_EQ(progress.Stop(), 0);
}

TEST(WatchLiveTest, KmsgFallbackReadsThePrintkCopy) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  Watch watch(dir, {"--source", "kmsg"});
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  EXPECT_EQ(ReadEvents(watch.events).front()["source"], "kmsg");
  // printk lets 10 audit messages through per 5 s, machine-wide; what it suppresses is counted as
  // lost, the documented outcome when a storm elsewhere uses the budget.
  // Other processes' records share the budget: retry across printk's 5 s window.
  bool seen = false;
  for (int attempt = 0; attempt < 4 && !seen; ++attempt) {
    DenyUname(dir, "errno EPERM");
    seen = WaitForText(watch.events, "\"exe\":\"" + probe + "\"", 2000);
  }
  EXPECT_EQ(watch.Stop(), 0);
  const auto stop = ReadEvents(watch.events).back();
  EXPECT_TRUE(seen || stop["records_lost"].get<int>() > 0) << ReadFile(watch.events);
  if (seen) {
    EXPECT_EQ(Violations(watch.events, probe)[0]["syscall"], "uname");
  }
}

TEST(WatchLiveTest, SocketOverflowIsReportedAsLostNotHidden) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  Watch watch(dir, {"--receive-buffer", "4096", "--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  // Stopped, the watcher reads nothing while 3000 denials queue on a 4 KiB socket.
  watch.process->Signal(SIGSTOP);
  const std::string policy = dir.Write("storm.sfp", "arch x86_64\ndefault allow\nerrno EPERM uname\n");
  const Finished storm = RunCommand({SysfenceBinary(), "run", "--quiet", "--kernel-log", "--policy", policy, "--",
                                     probe, "loop", "3000", "uname"});
  EXPECT_EQ(storm.status, 0) << storm.err;
  watch.process->Signal(SIGCONT);
  ASSERT_TRUE(WaitForText(watch.events, "\"type\":\"lost\"")) << ReadFile(watch.events);
  std::smatch port;
  const std::string err = ReadFile(watch.err);
  ASSERT_TRUE(std::regex_search(err, port, std::regex("port (\\d+)"))) << err;
  const Finished scraped = RunCommand({"/usr/bin/curl", "-sf", "http://127.0.0.1:" + port[1].str() + "/metrics"});
  EXPECT_EQ(watch.Stop(), 0);
  EXPECT_NE(scraped.out.find("sysfence_watch_records_lost_total{cause=\"socket-overflow\"}"), std::string::npos)
      << scraped.out;
  const auto lines = ReadEvents(watch.events);
  EXPECT_GT(lines.back()["records_lost"].get<int>(), 0);
  bool overflow = false;
  for (const auto& line : lines) overflow = overflow || (line["type"] == "lost" && line["cause"] == "socket-overflow");
  EXPECT_TRUE(overflow);
}

// --metrics ADDR:0: the kernel chooses the port, and both the printed URL and the start record
// name the one it chose, which answers.
TEST(WatchLiveTest, MetricsOnPortZeroPrintsThePortTheKernelChose) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  Watch watch(dir, {"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(watch.started) << ReadFile(watch.err);
  ASSERT_TRUE(WaitForText(watch.err, "/metrics")) << ReadFile(watch.err);
  std::smatch url;
  const std::string err = ReadFile(watch.err);
  ASSERT_TRUE(std::regex_search(err, url, std::regex("metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics \\(port (\\d+)\\)")))
      << err;
  EXPECT_NE(url[1].str(), "0") << err;
  EXPECT_EQ(url[1].str(), url[2].str()) << err;
  const Finished scraped = RunCommand({"/usr/bin/curl", "-sf", "http://127.0.0.1:" + url[1].str() + "/metrics"});
  EXPECT_EQ(watch.Stop(), 0);
  EXPECT_EQ(scraped.status, 0) << scraped.err;
  EXPECT_NE(scraped.out.find("sysfence_watch_"), std::string::npos) << scraped.out;
  const auto lines = ReadEvents(watch.events);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front()["metrics"], "127.0.0.1:" + url[1].str()) << lines.front().dump();
}

TEST(WatchLiveTest, RefusesToStartWithoutWritingAnything) {
  if (const std::string reason = RootSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir dir;
  const std::string probe = ProbeCopy(dir);
  const std::string lock = dir.Path("watch.lock");
  const std::string out = dir.Path("refused.jsonl");
  // Bad options: exit 2.
  Finished bad = RunCommand({SysfenceBinary(), "watch", "--source", "dmesg", "--output", out, "--lock-file", lock});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--source: 'dmesg' is not one of auto, netlink, kmsg"), std::string::npos) << bad.err;
  bad = RunCommand({SysfenceBinary(), "watch", "--metrics", "localhost", "--output", out, "--lock-file", lock});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("expected ADDR:PORT"), std::string::npos) << bad.err;
  // A second watcher on the same lock: exit 3.
  Watch first(dir);
  ASSERT_TRUE(first.started) << ReadFile(first.err);
  const Finished second = RunCommand({SysfenceBinary(), "watch", "--output", out, "--lock-file", lock});
  EXPECT_EQ(second.status, 3);
  EXPECT_NE(second.err.find("another sysfence watch (pid " + std::to_string(first.process->pid()) + ")"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(first.Stop(), 0);
  // The metrics port in use: exit 3.
  TempDir other;
  Watch holder(other, {"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(holder.started);
  std::smatch port;
  const std::string err = ReadFile(holder.err);
  ASSERT_TRUE(std::regex_search(err, port, std::regex("port (\\d+)"))) << err;
  const Finished in_use = RunCommand({SysfenceBinary(), "watch", "--metrics", "127.0.0.1:" + port[1].str(), "--output",
                                      out, "--lock-file", dir.Path("third.lock")});
  EXPECT_EQ(in_use.status, 3);
  EXPECT_NE(in_use.err.find("Address already in use"), std::string::npos) << in_use.err;
  EXPECT_EQ(holder.Stop(), 0);
  // Without root there is neither the audit stream nor /dev/kmsg (dmesg_restrict): exit 3.
  chmod(dir.Path("").c_str(), 0777);
  const Finished nobody = RunCommand({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                      SysfenceBinary(), "watch", "--source", "netlink", "--output", out, "--lock-file",
                                      dir.Path("nobody.lock")});
  EXPECT_EQ(nobody.status, 3);
  EXPECT_NE(nobody.err.find("CAP_AUDIT_READ"), std::string::npos) << nobody.err;
  // None of the refused starts wrote the output.
  EXPECT_EQ(access(out.c_str(), F_OK), -1);
}

}  // namespace
}  // namespace sysfence::live
