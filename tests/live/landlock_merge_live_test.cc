// SPDX-License-Identifier: Apache-2.0
// The loop for `fs`/`net` rules on real programs (sh, cat, busybox nc): monitor mode reports the
// Landlock accesses its policy does not grant, `sysfence merge POLICY EVENTS` folds them into the
// policy's fs/net rules, and the merged policy, enforced, lets the same work through with no
// Landlock denial. Merging the same events again adds nothing. A malformed landlock event is bad
// input: exit 2, nothing written. (Enforce mode's denials, from audit records, are merged in
// landlock_enforce_serial_live_test.cc: audit must be switched on, a machine-wide setting.)
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

size_t CountOfType(const std::string& events, const std::string& type) {
  size_t count = 0;
  for (const auto& event : ReadEvents(events)) count += event.value("type", "") == type;
  return count;
}

nlohmann::json Summary(const std::string& events) {
  for (const auto& event : ReadEvents(events)) {
    if (event.value("type", "") == "summary") return event;
  }
  return nullptr;
}

class LandlockMergeLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = LiveSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    if (LandlockAbi() < 6) GTEST_SKIP() << "run's walls and TCP rules need Landlock ABI 6 [feature: landlock-abi-6]";
    std::filesystem::create_directory(dir_.Path("data"));
    std::ofstream(dir_.Path("data/secret")) << "the secret\n";
    // Programs and libraries may be read and run; nothing of the temp dir may be touched; TCP
    // only to a port nothing here uses.
    policy_ = dir_.Write("app.sfp", "arch x86_64\ndefault allow\nfs read exec /usr /etc /proc\nnet connect tcp 5432\n");
    port_ = std::to_string(20000 + getpid() % 20000);  // beside other tests running at the same time
  }

  // sysfence run [extra...] --policy POLICY --events EVENTS -- argv.
  Finished Run(const std::string& policy, const std::string& events, const std::vector<std::string>& extra,
               const std::vector<std::string>& argv) {
    std::vector<std::string> full = {SysfenceBinary(), "run"};
    full.insert(full.end(), extra.begin(), extra.end());
    full.insert(full.end(), {"--policy", policy, "--events", events, "--"});
    full.insert(full.end(), argv.begin(), argv.end());
    return RunCommand(full);
  }

  Finished Merge(const std::string& policy, const std::string& events, const std::string& out) {
    return RunCommand({SysfenceBinary(), "merge", policy, events, "-o", out});
  }

  // Reads a file outside the rules, creates one, listens on a port and connects to it.
  std::vector<std::string> Work() const {
    const std::string data = dir_.Path("data");
    return {"/bin/sh", "-c",
            "cat " + data + "/secret && echo x > " + data + "/new && { busybox nc -l -p " + port_ +
                " & for i in $(seq 50); do echo hi | busybox nc 127.0.0.1 " + port_ +
                " && break; sleep 0.1; done; wait; }"};
  }

  TempDir dir_;
  std::string policy_;
  std::string port_;
};

TEST_F(LandlockMergeLiveTest, MonitorThenMergeThenEnforceConvergesForPathsAndPorts) {
  // Enforced, the policy refuses the work.
  const Finished refused = Run(policy_, dir_.Path("e0.jsonl"), {}, Work());
  EXPECT_NE(refused.status, 0) << refused.err;
  EXPECT_NE(refused.err.find("Permission denied"), std::string::npos) << refused.err;

  // Monitored, it runs, and the events name what it needs.
  const std::string monitored = dir_.Path("monitor.jsonl");
  const Finished observed = Run(policy_, monitored, {"--monitor"}, Work());
  ASSERT_EQ(observed.status, 0) << observed.err;
  EXPECT_EQ(observed.out, "the secret\nhi\n");
  ASSERT_GE(CountOfType(monitored, "landlock"), 4u) << ReadFile(monitored);

  const std::string merged = dir_.Path("merged.sfp");
  const Finished merge = Merge(policy_, monitored, merged);
  ASSERT_EQ(merge.status, 0) << merge.err;
  const std::string text = ReadFile(merged);
  const std::string data = dir_.Path("data");
  for (const std::string& line : {"fs read-file " + data + "/secret\n", "fs write-file make-reg " + data + "\n",
                                  "net bind tcp " + port_ + "\n", "net connect tcp " + port_ + "\n"}) {
    EXPECT_NE(text.find("\n" + line), std::string::npos) << line << " in:\n" << text;
  }
  // Each added rule says where it came from; the policy's own rules stay.
  EXPECT_NE(text.find("# reported at " + monitored + ":"), std::string::npos) << text;
  EXPECT_NE(text.find("(monitor, cat)\nfs read-file " + data + "/secret\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fs read exec /usr /etc /proc\n"), std::string::npos) << text;
  EXPECT_NE(text.find("net connect tcp 5432\n"), std::string::npos) << text;
  // `check` finds nothing new: the policy's own warnings (default allow lets ptrace through) only.
  const Finished checked = RunCommand({SysfenceBinary(), "check", merged});
  EXPECT_EQ(checked.status, RunCommand({SysfenceBinary(), "check", policy_}).status) << checked.err;
  EXPECT_EQ(checked.err.find("error"), std::string::npos) << checked.err;

  // Enforced, the merged policy lets the same work through: no Landlock denial at all.
  const std::string enforced = dir_.Path("enforce.jsonl");
  const Finished passed = Run(merged, enforced, {}, Work());
  EXPECT_EQ(passed.status, 0) << passed.err << ReadFile(enforced);
  EXPECT_EQ(passed.out, "the secret\nhi\n");
  EXPECT_EQ(CountOfType(enforced, "landlock"), 0u) << ReadFile(enforced);
  const nlohmann::json summary = Summary(enforced);
  ASSERT_FALSE(summary.is_null()) << ReadFile(enforced);
  EXPECT_EQ(summary["landlock"], "enforced");
  EXPECT_EQ(summary["landlock_reported"], 0);

  // The same events merged into the merged policy add nothing.
  const std::string again = dir_.Path("again.sfp");
  const Finished remerge = Merge(merged, monitored, again);
  EXPECT_EQ(remerge.status, 0) << remerge.err;
  EXPECT_NE(remerge.err.find("0 lines added"), std::string::npos) << remerge.err;
  EXPECT_EQ(ReadFile(again), text);
}

// A malformed landlock event stops the merge with the events file's line: exit 2, nothing written.
TEST(LandlockMergeBadInputTest, AMalformedLandlockEventIsAnErrorWithFileAndLine) {
  TempDir dir;
  const std::string policy = dir.Write("app.sfp", "arch x86_64\ndefault allow\nfs read /usr\n");
  const std::string start = R"({"type":"start","schema":2,"mode":"monitor","command":["cat"]})";
  const std::string event_head =
      R"({"type":"landlock","schema":2,"source":"notification","mode":"monitor","pid":7,"tid":7,"comm":"cat",)"
      R"("exe":"/usr/bin/cat","arch":"x86_64","syscall":"openat","nr":257,"args":[],"action":"deny",)"
      R"("outcome":"continued","rule":null,)";
  const std::string good = event_head + R"("suggest":"fs read-file /etc/shadow","landlock":{"blockers":["fs.read_file"],"path":"/etc/shadow"},"count":1})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {event_head + R"("landlock":{"blockers":["fs.read_file"],"path":"/etc/shadow"},"count":1})",
       ":3: $.suggest: missing or not a string"},
      {event_head + R"("suggest":"fs read-file etc/shadow","landlock":{"blockers":["fs.read_file"],"path":"etc/shadow"},"count":1})",
       ":3: $.suggest: 'fs read-file etc/shadow': unknown access right 'etc' (paths are absolute: '/etc')"},
      {event_head + R"("suggest":"net bind tcp 99999","landlock":{"blockers":["net.bind_tcp"],"port":99999},"count":1})",
       ":3: $.suggest: 'net bind tcp 99999': port 99999 is out of range 0..65535"},
  };
  for (const auto& [bad, message] : cases) {
    SCOPED_TRACE(bad);
    const std::string events = dir.Write("bad.jsonl", start + "\n" + good + "\n" + bad + "\n");
    const std::string out = dir.Path("out.sfp");
    const Finished merge = RunCommand({SysfenceBinary(), "merge", policy, events, "-o", out});
    EXPECT_EQ(merge.status, 2) << merge.err;
    EXPECT_NE(merge.err.find("sysfence: error: " + events + message), std::string::npos) << merge.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

}  // namespace
}  // namespace sysfence::live
