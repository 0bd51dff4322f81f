// SPDX-License-Identifier: Apache-2.0
// `sysfence run --monitor` and a policy's fs/net rules, with real programs (cat, sh, busybox nc):
// by default monitor mode observes the rules instead of enforcing them, so the access succeeds and
// an event names the path or port with the `fs`/`net` line that would allow it; --landlock-enforce
// enforces them instead. As root and as nobody (setpriv), like the isolation tests: the program
// cannot hide an access behind a symlink, a relative path, `..` or a redirection.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/live/live_util.h"

namespace sysfence::live {
namespace {

int LandlockAbi() {
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U << 0);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

struct Identity {
  std::string name;
  std::vector<std::string> prefix;
};

std::vector<Identity> Identities() {
  std::vector<Identity> identities;
  if (geteuid() == 0) {
    identities.push_back({"root", {}});
    identities.push_back({"nobody", {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"}});
  } else {
    identities.push_back({"self", {}});
  }
  return identities;
}

// The Landlock events of an events file.
std::vector<nlohmann::json> LandlockEvents(const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& event : ReadEvents(path)) {
    if (event.value("type", "") == "landlock") out.push_back(event);
  }
  return out;
}

nlohmann::json Summary(const std::string& path) {
  for (const auto& event : ReadEvents(path)) {
    if (event.value("type", "") == "summary") return event;
  }
  return nullptr;
}

class LandlockMonitorLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = LiveSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    if (LandlockAbi() < 6) GTEST_SKIP() << "run's walls and TCP rules need Landlock ABI 6 [feature: landlock-abi-6]";
    // A directory nobody can use, with a copy of sysfence (the build tree may be private).
    chmod(dir_.Path("").c_str(), 0777);
    std::filesystem::copy_file(SysfenceBinary(), dir_.Path("sysfence"));
    chmod(dir_.Path("sysfence").c_str(), 0755);
    mkdir(dir_.Path("data").c_str(), 0755);
    mkdir(dir_.Path("data/sub").c_str(), 0755);
    std::ofstream(dir_.Path("data/secret")) << "the secret\n";
    chmod(dir_.Path("data/secret").c_str(), 0644);
    symlink(dir_.Path("data/secret").c_str(), dir_.Path("innocent").c_str());
    // Programs and libraries may be read and run; nothing of the temp dir may be read.
    policy_ = dir_.Write("fs.sfp", "arch x86_64\ndefault allow\nfs read exec /usr /etc /proc\n");
    chmod(policy_.c_str(), 0644);
  }

  // sysfence run [extra...] --policy P --events E -- argv, as `identity`.
  Finished Run(const Identity& identity, const std::string& events, const std::vector<std::string>& extra,
               const std::vector<std::string>& argv, const std::string& policy = "") {
    std::vector<std::string> full = identity.prefix;
    full.insert(full.end(), {dir_.Path("sysfence"), "run"});
    full.insert(full.end(), extra.begin(), extra.end());
    full.insert(full.end(), {"--policy", policy.empty() ? policy_ : policy, "--events", events, "--"});
    full.insert(full.end(), argv.begin(), argv.end());
    return RunCommand(full);
  }

  TempDir dir_;
  std::string policy_;
};

TEST_F(LandlockMonitorLiveTest, MonitorLetsAReadOutsideTheFsRulesRunAndReportsItWithTheLine) {
  for (const Identity& identity : Identities()) {
    SCOPED_TRACE(identity.name);
    const std::string events = dir_.Path("cat-" + identity.name + ".jsonl");
    const Finished run = Run(identity, events, {"--monitor"}, {"/bin/cat", dir_.Path("data/secret")});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "the secret\n");
    const std::string line = "fs read-file " + dir_.Path("data/secret");
    EXPECT_NE(run.err.find("landlock would deny fs.read_file on " + dir_.Path("data/secret")), std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("    " + line + "\n"), std::string::npos) << run.err;
    const std::vector<nlohmann::json> found = LandlockEvents(events);
    ASSERT_EQ(found.size(), 1u) << ReadFile(events);
    EXPECT_EQ(found[0]["source"], "notification");
    EXPECT_EQ(found[0]["mode"], "monitor");
    EXPECT_EQ(found[0]["outcome"], "continued");
    EXPECT_EQ(found[0]["syscall"], "openat");
    EXPECT_EQ(found[0]["comm"], "cat");
    EXPECT_EQ(found[0]["suggest"], line);
    EXPECT_EQ(found[0]["landlock"]["path"], dir_.Path("data/secret"));
    EXPECT_EQ(found[0]["landlock"]["blockers"], nlohmann::json::array({"fs.read_file"}));
    const nlohmann::json summary = Summary(events);
    ASSERT_FALSE(summary.is_null());
    EXPECT_EQ(summary["landlock"], "observed");
    EXPECT_EQ(summary["landlock_reported"], 1);
    EXPECT_EQ(summary["suggested_lines"], nlohmann::json::array({line}));
  }
}

// The lines monitor mode suggests let the same run pass under enforcement: they parse, and they
// are what Landlock needs.
TEST_F(LandlockMonitorLiveTest, TheSuggestedLinesLetTheRunPassUnderEnforcement) {
  const Identity identity = Identities().front();
  const std::string program = "cat " + dir_.Path("data/secret") + " && echo x > " + dir_.Path("data/new");
  const Finished denied = Run(identity, dir_.Path("e1.jsonl"), {}, {"/bin/sh", "-c", program});
  EXPECT_NE(denied.status, 0);
  EXPECT_NE(denied.err.find("Permission denied"), std::string::npos) << denied.err;
  const std::string monitored = dir_.Path("e0.jsonl");
  EXPECT_EQ(Run(identity, monitored, {"--monitor"}, {"/bin/sh", "-c", program}).status, 0);
  std::string policy = ReadFile(policy_);
  const nlohmann::json summary = Summary(monitored);
  ASSERT_FALSE(summary.is_null()) << ReadFile(monitored);
  for (const auto& line : summary["suggested_lines"]) policy += line.get<std::string>() + "\n";
  EXPECT_NE(policy.find("fs write-file make-reg " + dir_.Path("data")), std::string::npos) << ReadFile(monitored);
  const std::string amended = dir_.Write("amended.sfp", policy);
  const Finished passed = Run(identity, dir_.Path("e2.jsonl"), {}, {"/bin/sh", "-c", program}, amended);
  EXPECT_EQ(passed.status, 0) << passed.err;
  EXPECT_EQ(passed.out, "the secret\n");
}

// A program cannot hide an access from monitor mode behind a symlink, a relative path with `..`,
// or a shell redirection: the event names the object itself.
TEST_F(LandlockMonitorLiveTest, AnAccessCannotHideBehindSymlinksRelativePathsOrRedirections) {
  for (const Identity& identity : Identities()) {
    SCOPED_TRACE(identity.name);
    const std::string events = dir_.Path("hide-" + identity.name + ".jsonl");
    const std::string script = "cat " + dir_.Path("innocent") + " && cd " + dir_.Path("data/sub") +
                               " && cat ../sub/../secret && read line < ../secret && echo \"$line\"";
    const Finished run = Run(identity, events, {"--monitor", "--events-per-call", "10"}, {"/bin/sh", "-c", script});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "the secret\nthe secret\nthe secret\n");
    const std::vector<nlohmann::json> found = LandlockEvents(events);
    ASSERT_EQ(found.size(), 1u) << ReadFile(events);  // one shape: the same path and right
    EXPECT_EQ(found[0]["landlock"]["path"], dir_.Path("data/secret"));
    // Every one of the three reads was counted under it.
    EXPECT_EQ(Summary(events)["landlock_reported"], 3) << ReadFile(events);
  }
}

TEST_F(LandlockMonitorLiveTest, TcpBindAndConnectOutsideTheNetRulesAreReportedWithTheirLine) {
  const std::string policy =
      dir_.Write("net.sfp", "arch x86_64\ndefault allow\nnet connect tcp 5432\nnet bind tcp 8080\n");
  chmod(policy.c_str(), 0644);
  for (const Identity& identity : Identities()) {
    SCOPED_TRACE(identity.name);
    const std::string events = dir_.Path("net-" + identity.name + ".jsonl");
    // Connect to the discard port (nothing listens: refused, not denied), then listen on 8123 for 1 s.
    const Finished run = Run(identity, events, {"--monitor"},
                             {"/bin/sh", "-c", "busybox nc 127.0.0.1 9 </dev/null; timeout 1 busybox nc -l -p 8123"},
                             policy);
    EXPECT_NE(run.err.find("Connection refused"), std::string::npos) << run.err;
    EXPECT_EQ(run.status, 124) << run.err;  // the listener ran until timeout ended it
    std::vector<std::string> lines;
    for (const auto& event : LandlockEvents(events)) lines.push_back(event["suggest"]);
    EXPECT_EQ(lines, (std::vector<std::string>{"net connect tcp 9", "net bind tcp 8123"})) << ReadFile(events);
  }
}

TEST_F(LandlockMonitorLiveTest, LandlockEnforceMakesMonitorModeEnforceTheFsRules) {
  const Identity identity = Identities().front();
  const std::string events = dir_.Path("enforced.jsonl");
  const Finished run = Run(identity, events, {"--monitor", "--landlock-enforce"}, {"/bin/cat", dir_.Path("data/secret")});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("Permission denied"), std::string::npos) << run.err;
  EXPECT_TRUE(LandlockEvents(events).empty()) << ReadFile(events);
  EXPECT_EQ(Summary(events)["landlock"], "enforced");
}

TEST_F(LandlockMonitorLiveTest, BadInputStartsNothing) {
  const std::string marker = dir_.Path("started");
  const std::vector<std::string> touch = {"/usr/bin/touch", marker};
  // --landlock-enforce belongs to --monitor. (run's own failures exit 125: docs/run.md.)
  Finished run = RunCommand({SysfenceBinary(), "run", "--landlock-enforce", "--policy", policy_, "--", touch[0],
                             touch[1]});
  EXPECT_EQ(run.status, 125);
  EXPECT_NE(run.err.find("--landlock-enforce is for --monitor"), std::string::npos) << run.err;
  // A rule path that does not exist: bad input in monitor mode too, naming the rule.
  const std::string missing = dir_.Write("missing.sfp", "arch x86_64\ndefault allow\nfs read /usr /nonexistent-sf\n");
  run = RunCommand({SysfenceBinary(), "run", "--monitor", "--policy", missing, "--", touch[0], touch[1]});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find(missing + ":3:1: cannot open '/nonexistent-sf'"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

}  // namespace
}  // namespace sysfence::live
