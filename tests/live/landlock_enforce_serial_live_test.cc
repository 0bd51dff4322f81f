// SPDX-License-Identifier: Apache-2.0
// `sysfence run` in enforce mode and Landlock's own audit records: with audit enabled (a
// `sysfence watch --audit-enable` beside the run, so this suite changes a machine-wide setting and
// runs alone), each access the fs/net rules deny fails with EACCES and becomes a `landlock` event of
// the run with the line that would allow it. The confined program cannot forge such an event, and
// switching audit off (root) does not go unnoticed; as nobody it cannot switch it off at all.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/live/live_util.h"
#include "tests/watch/watch_process.h"

namespace sysfence::live {
namespace {

std::string SkipReason() {
  if (geteuid() != 0) return "needs root: the audit stream and audit settings [feature: root]";
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U << 0);
  if (abi < 7) return "Landlock audit needs Landlock ABI 7 [feature: landlock-abi-7]";
  return LiveSkipReason();
}

std::vector<nlohmann::json> OfType(const std::string& path, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& event : ReadEvents(path)) {
    if (event.value("type", "") == type) out.push_back(event);
  }
  return out;
}

class LandlockEnforceSerialLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    chmod(dir_.Path("").c_str(), 0777);
    mkdir(dir_.Path("bin").c_str(), 0755);
    mkdir(dir_.Path("data").c_str(), 0755);
    for (const auto& [name, from] : {std::pair<std::string, std::string>{"sysfence", SysfenceBinary()},
                                     {"sf_audit_attack", SF_AUDIT_ATTACK_PATH}}) {
      std::filesystem::copy_file(from, dir_.Path("bin/" + name));
      chmod(dir_.Path("bin/" + name).c_str(), 0755);
    }
    std::ofstream(dir_.Path("data/secret")) << "the secret\n";
    chmod(dir_.Path("data/secret").c_str(), 0644);
    policy_ = dir_.Write("fs.sfp", "arch x86_64\ndefault allow\nfs read exec /usr /etc /proc " + dir_.Path("bin") +
                                       "\nnet connect tcp 5432\n");
    chmod(policy_.c_str(), 0644);
    // Audit on while the test runs (Landlock logs only then), back as it was afterwards.
    watch_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{SysfenceBinary(), "watch", "--audit-enable", "--output", dir_.Path("watch.jsonl"),
                                 "--lock-file", dir_.Path("watch.lock")},
        dir_.Path("watch.out"), dir_.Path("watch.err"));
    ASSERT_TRUE(WaitForText(dir_.Path("watch.jsonl"), "\"type\":\"start\"")) << ReadFile(dir_.Path("watch.err"));
  }
  void TearDown() override {
    if (watch_) {
      watch_->Signal(SIGTERM);
      watch_->Wait();
    }
  }

  Finished Run(const std::vector<std::string>& prefix, const std::string& events, const std::vector<std::string>& argv) {
    std::vector<std::string> full = prefix;
    full.insert(full.end(), {dir_.Path("bin/sysfence"), "run", "--policy", policy_, "--events", events, "--"});
    full.insert(full.end(), argv.begin(), argv.end());
    return RunCommand(full);
  }

  TempDir dir_;
  std::string policy_;
  std::unique_ptr<BackgroundProcess> watch_;
};

TEST_F(LandlockEnforceSerialLiveTest, DenialsFailWithEaccesAndAreEventsWithTheLineThatWouldAllowThem) {
  const std::string events = dir_.Path("events.jsonl");
  const Finished run = Run({}, events,
                           {"/bin/sh", "-c", "cat " + dir_.Path("data/secret") + "; busybox nc 127.0.0.1 9"});
  // cat writes its message in pieces and the supervisor's own line may land between them.
  EXPECT_NE(run.err.find(dir_.Path("data/secret") + ": Permission denied"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("cat: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nc: can't connect to remote host (127.0.0.1): Permission denied"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("landlock denied fs.read_file on " + dir_.Path("data/secret")), std::string::npos) << run.err;
  const std::vector<nlohmann::json> found = OfType(events, "landlock");
  ASSERT_EQ(found.size(), 2u) << ReadFile(events);
  EXPECT_EQ(found[0]["source"], "audit");
  EXPECT_EQ(found[0]["mode"], "enforce");
  EXPECT_EQ(found[0]["outcome"], "denied");
  EXPECT_EQ(found[0]["comm"], "cat");
  EXPECT_EQ(found[0]["syscall"], "openat");
  EXPECT_GT(found[0]["pid"].get<int>(), 0);
  EXPECT_FALSE(found[0]["landlock"]["domain"].get<std::string>().empty());
  EXPECT_EQ(found[0]["suggest"], "fs read-file " + dir_.Path("data/secret"));
  EXPECT_EQ(found[1]["comm"], "busybox");
  EXPECT_EQ(found[1]["syscall"], "connect");
  EXPECT_EQ(found[1]["landlock"]["port"], 9);
  EXPECT_EQ(found[1]["suggest"], "net connect tcp 9");
  const std::vector<nlohmann::json> summary = OfType(events, "summary");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0]["landlock"], "enforced");
  EXPECT_EQ(summary[0]["landlock_reported"], 2);
  EXPECT_EQ(summary[0]["suggested_lines"],
            nlohmann::json::array({"fs read-file " + dir_.Path("data/secret"), "net connect tcp 9"}));
}

// The loop in enforce mode: the denials reported from the audit records, merged into the policy,
// let the next enforced run through with no Landlock denial.
TEST_F(LandlockEnforceSerialLiveTest, MergingTheReportedDenialsLetsTheNextRunThrough) {
  const std::vector<std::string> work = {"/bin/sh", "-c",
                                         "cat " + dir_.Path("data/secret") + "; busybox nc 127.0.0.1 9"};
  const std::string denied = dir_.Path("denied.jsonl");
  const Finished refused = Run({}, denied, work);
  EXPECT_NE(refused.err.find("Permission denied"), std::string::npos) << refused.err;
  ASSERT_EQ(OfType(denied, "landlock").size(), 2u) << ReadFile(denied);
  const std::string merged = dir_.Path("merged.sfp");
  const Finished merge = RunCommand({dir_.Path("bin/sysfence"), "merge", policy_, denied, "-o", merged});
  ASSERT_EQ(merge.status, 0) << merge.err;
  EXPECT_NE(merge.err.find("2 lines added"), std::string::npos) << merge.err;
  const std::string text = ReadFile(merged);
  EXPECT_NE(text.find("(enforce, cat)\nfs read-file " + dir_.Path("data/secret") + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("(enforce, busybox)\nnet connect tcp 9\n"), std::string::npos) << text;
  const std::string events = dir_.Path("passed.jsonl");
  std::vector<std::string> run = {dir_.Path("bin/sysfence"), "run", "--policy", merged, "--events", events, "--"};
  run.insert(run.end(), work.begin(), work.end());
  const Finished passed = RunCommand(run);
  EXPECT_EQ(passed.out, "the secret\n");
  // Nothing listens on the discard port: refused by the peer, no longer by Landlock.
  EXPECT_NE(passed.err.find("Connection refused"), std::string::npos) << passed.err;
  EXPECT_EQ(passed.err.find("Permission denied"), std::string::npos) << passed.err;
  EXPECT_TRUE(OfType(events, "landlock").empty()) << ReadFile(events);
  const std::vector<nlohmann::json> summary = OfType(events, "summary");
  ASSERT_EQ(summary.size(), 1u) << ReadFile(events);
  EXPECT_EQ(summary[0]["landlock_reported"], 0);
}

// Root inside the sandbox: audit messages it writes never become events (user messages have types of
// their own; the kernel's Landlock type is refused), and switching audit off is reported.
TEST_F(LandlockEnforceSerialLiveTest, ARootProgramCannotForgeEventsAndSwitchingAuditOffIsReported) {
  const std::string events = dir_.Path("attack.jsonl");
  const std::string secret = dir_.Path("data/secret");
  const Finished run = Run({}, events,
                           {dir_.Path("bin/sf_audit_attack"), "read", secret, "forge", "/forged-by-the-program",
                            "disable", "read", secret});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("forge-1423 blocked"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("disable done"), std::string::npos) << run.out;
  // Both reads were denied: enforcement never depended on the audit trail.
  EXPECT_EQ(run.out.find("read ok"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("read EACCES\n"), run.out.rfind("read EACCES\n")) << run.out;
  for (const auto& event : OfType(events, "landlock")) {
    EXPECT_EQ(event["landlock"]["path"], secret) << event.dump();
  }
  EXPECT_GE(OfType(events, "landlock").size(), 1u) << ReadFile(events);
  const std::vector<nlohmann::json> summary = OfType(events, "summary");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_GE(summary[0]["audit_disabled"].get<int>(), 1) << summary[0].dump();
  EXPECT_NE(run.err.find("kernel audit was switched off while the program ran"), std::string::npos) << run.err;
}

// As nobody: denials are enforced (not reported: reading the audit stream needs root, and stderr
// says so), and the program cannot switch audit off or write audit messages.
TEST_F(LandlockEnforceSerialLiveTest, AnUnprivilegedProgramCannotTouchTheAuditTrail) {
  const std::vector<std::string> nobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                           "--"};
  const std::string events = dir_.Path("nobody.jsonl");
  const Finished run = Run(nobody, events,
                           {dir_.Path("bin/sf_audit_attack"), "forge", "/forged", "disable", "read",
                            dir_.Path("data/secret")});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("forge-user blocked EPERM"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("disable blocked EPERM"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("read EACCES"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("denials are enforced by the kernel but not reported"), std::string::npos) << run.err;
  EXPECT_TRUE(OfType(events, "landlock").empty()) << ReadFile(events);
  // Audit is still on: the watcher's start record said so, and a root run still reports.
  const Finished root = Run({}, dir_.Path("after.jsonl"), {"/bin/cat", dir_.Path("data/secret")});
  EXPECT_EQ(OfType(dir_.Path("after.jsonl"), "landlock").size(), 1u) << ReadFile(dir_.Path("after.jsonl"));
}

}  // namespace
}  // namespace sysfence::live
