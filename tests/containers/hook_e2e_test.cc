// SPDX-License-Identifier: Apache-2.0
// `sysfence oci-hook` and `record --cgroup` on real runc containers (busybox-static rootfs): the
// recorded profile runs the same container with the same output and no denial; a command outside
// the recording gets EPERM and `sysfence watch` reports it with the container's executable;
// Docker's default profile, imported and exported, runs a container.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/containers/container_test_util.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace sysfence::containertest {
namespace {

namespace fs = std::filesystem;
using testsupport::RunSysfence;
using testsupport::TempDir;

constexpr const char* kWork = "echo hello; ls / | wc -l; cat /proc/self/status | head -1; uname -s";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The events of the container's busybox (its executable's path is unique to the bundle).
std::vector<nlohmann::json> EventsOf(const std::vector<nlohmann::json>& events, const std::string& exe) {
  std::vector<nlohmann::json> mine;
  for (const nlohmann::json& event : events) {
    if (event.value("exe", "") == exe) mine.push_back(event);
  }
  return mine;
}

class HookE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = ContainerSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  }
  // Runs the bundle with the OCI profile at `profile` enforced (plain, hook-less config).
  Ran RunEnforced(Bundle& bundle, const std::string& profile, const std::string& id,
                  const std::vector<std::string>& args) {
    bundle.config().erase("hooks");
    bundle.config().erase("annotations");
    bundle.config()["process"]["args"] = args;
    bundle.config()["linux"]["seccomp"] = nlohmann::json::parse(ReadFile(profile));
    bundle.Save();
    return bundle.Run(id);
  }
  TempDir dir_;
};

TEST_F(HookE2eTest, HookRecordingRunsTheSameContainerWithNoDenialAndRefusesOthers) {
  Bundle bundle(dir_.path() + "/b", {"/bin/sh", "-c", kWork});
  const std::string profile = dir_.path() + "/web.json";
  bundle.AddRecordHook(profile, dir_.path() + "/hook.log");
  const Ran recorded = bundle.Run("rec");
  ASSERT_EQ(recorded.status, 0) << recorded.err;
  ASSERT_TRUE(WaitForFile(profile, 10)) << ReadFile(dir_.path() + "/hook.log");
  EXPECT_NE(ReadFile(dir_.path() + "/hook.log").find("profile written"), std::string::npos);
  const nlohmann::json oci = nlohmann::json::parse(ReadFile(profile));
  EXPECT_EQ(oci["defaultAction"], "SCMP_ACT_ERRNO");
  // No flags: runc 1.1 refuses every one ("seccomp flags are not yet supported by runc").
  EXPECT_FALSE(oci.contains("flags"));

  Watcher watcher(dir_.path());
  const Ran same = RunEnforced(bundle, profile, "same", {"/bin/sh", "-c", kWork});
  const Ran outside = RunEnforced(bundle, profile, "outside", {"/bin/sh", "-c", "mkdir /tmp/new; echo status=$?"});
  const std::vector<nlohmann::json> events = EventsOf(watcher.Stop(), bundle.exe());

  EXPECT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(same.out, recorded.out);
  EXPECT_EQ(outside.status, 0) << outside.err;
  EXPECT_EQ(outside.out, "status=1\n");
  EXPECT_NE(outside.err.find("Operation not permitted"), std::string::npos) << outside.err;
  // runc 1.1 cannot ask the kernel to log errno answers (no SECCOMP_FILTER_FLAG_LOG): the refusal
  // shows in the container's own error output (above), and the kernel reported nothing else.
  EXPECT_TRUE(events.empty()) << nlohmann::json(events).dump();
}

TEST_F(HookE2eTest, HookWritesSfpAndYamlByExtension) {
  for (const std::string name : {"p.sfp", "p.yaml"}) {
    Bundle bundle(dir_.path() + "/" + name + ".b", {"/bin/sh", "-c", kWork});
    const std::string profile = dir_.path() + "/" + name;
    bundle.AddRecordHook(profile, dir_.path() + "/hook.log");
    ASSERT_EQ(bundle.Run("ext-" + name.substr(2)).status, 0);
    ASSERT_TRUE(WaitForFile(profile, 10)) << ReadFile(dir_.path() + "/hook.log");
    const std::string text = ReadFile(profile);
    if (name == "p.sfp") {
      EXPECT_NE(text.find("runc-v1.1.x"), std::string::npos);
      EXPECT_NE(text.find("from: /bin/sh -c echo hello;"), std::string::npos) << text;
      // Counted from the program's execve: runc's set-up before it (mounts, pivot_root, the
      // hostname) is not the container's work and is not allowed.
      for (const char* setup : {"allow pivot_root", "allow mount", "allow sethostname", "allow umount2"}) {
        EXPECT_EQ(text.find(setup), std::string::npos) << setup;
      }
      EXPECT_EQ(RunSysfence({"check", profile}).exit_status, 0);
    } else {
      EXPECT_NE(text.find("kind: SeccompProfile"), std::string::npos) << text;
      EXPECT_NE(text.find("name: ext-yaml"), std::string::npos) << text;
    }
  }
}

TEST_F(HookE2eTest, CgroupRecordingWithTheRuncBaseRunsTheContainer) {
  // Attached after the container started: the runtime's base supplies runc's own calls.
  const std::string work = std::string("sleep 1; ") + kWork;
  Bundle bundle(dir_.path() + "/b", {"/bin/sh", "-c", work});
  const std::string state = dir_.path() + "/b/state";
  const Ran started = RunProgram({"runc", "--root", state, "run", "-d", "--bundle", bundle.dir(), "cg"});
  ASSERT_EQ(started.status, 0) << started.err;
  const std::string policy = dir_.path() + "/cg.sfp";
  const auto recorded =
      RunSysfence({"record", "--cgroup", "/cg", "--runtime-base", "runc-v1.1.x", "-q", "-o", policy});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  RunProgram({"runc", "--root", state, "delete", "-f", "cg"});
  const std::string oci = dir_.path() + "/cg.json";
  const auto exported = RunSysfence({"compile", "-f", "json", "-o", oci, policy});
  ASSERT_EQ(exported.exit_status, 0) << exported.err;

  const Ran plain = RunProgram({"sh", "-c", "true"});
  ASSERT_EQ(plain.status, 0);
  const Ran enforced = RunEnforced(bundle, oci, "cg2", {"/bin/sh", "-c", work});
  EXPECT_EQ(enforced.status, 0) << enforced.err;
  EXPECT_NE(enforced.out.find("hello\n"), std::string::npos) << enforced.out;
  EXPECT_NE(enforced.out.find("Linux\n"), std::string::npos) << enforced.out;
}

TEST_F(HookE2eTest, PidRecordingWithTheRuncBaseRunsTheContainer) {
  // `record -p` on the container's init: its start-up came before, so --launchable adds a launch
  // and --runtime-base runc's own calls.
  const std::string work = std::string("sleep 1; ") + kWork;
  Bundle bundle(dir_.path() + "/b", {"/bin/sh", "-c", work});
  const std::string state = dir_.path() + "/b/state";
  ASSERT_EQ(RunProgram({"runc", "--root", state, "run", "-d", "--bundle", bundle.dir(), "pid"}).status, 0);
  const nlohmann::json running =
      nlohmann::json::parse(RunProgram({"runc", "--root", state, "state", "pid"}).out, nullptr, false);
  ASSERT_TRUE(running.is_object() && running.contains("pid"));
  const std::string policy = dir_.path() + "/pid.sfp";
  const auto recorded = RunSysfence({"record", "-p", std::to_string(running["pid"].get<int>()), "--launchable",
                                     "--runtime-base", "runc", "-q", "-o", policy});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  RunProgram({"runc", "--root", state, "delete", "-f", "pid"});
  const std::string oci = dir_.path() + "/pid.json";
  ASSERT_EQ(RunSysfence({"compile", "-f", "json", "-o", oci, policy}).exit_status, 0);
  const Ran enforced = RunEnforced(bundle, oci, "pid2", {"/bin/sh", "-c", work});
  EXPECT_EQ(enforced.status, 0) << enforced.err;
  EXPECT_NE(enforced.out.find("hello\n"), std::string::npos) << enforced.out;
  EXPECT_NE(enforced.out.find("Linux\n"), std::string::npos) << enforced.out;
}

TEST_F(HookE2eTest, WithoutTheRuncBaseAnAttachedRecordingCannotStartTheContainer) {
  // What the base is for: the same cgroup recording without it fails in runc's init.
  Bundle bundle(dir_.path() + "/b", {"/bin/sh", "-c", "sleep 1; echo hello"});
  const std::string state = dir_.path() + "/b/state";
  ASSERT_EQ(RunProgram({"runc", "--root", state, "run", "-d", "--bundle", bundle.dir(), "nb"}).status, 0);
  const std::string policy = dir_.path() + "/nb.sfp";
  ASSERT_EQ(RunSysfence({"record", "--cgroup", "/nb", "-q", "-o", policy}).exit_status, 0);
  RunProgram({"runc", "--root", state, "delete", "-f", "nb"});
  const std::string oci = dir_.path() + "/nb.json";
  ASSERT_EQ(RunSysfence({"compile", "-f", "json", "-o", oci, policy}).exit_status, 0);
  const Ran enforced = RunEnforced(bundle, oci, "nb2", {"/bin/sh", "-c", "sleep 1; echo hello"});
  EXPECT_NE(enforced.status, 0);
  EXPECT_EQ(enforced.out.find("hello"), std::string::npos);
}

TEST_F(HookE2eTest, DockerDefaultProfileImportedAndExportedRunsAContainer) {
  const std::string moby = test_paths::SourceDir() + "/tests/data/moby-default.json";
  const std::string exported = dir_.path() + "/moby-exported.json";
  const auto compiled = RunSysfence({"compile", "-f", "json", "-o", exported, moby});
  ASSERT_EQ(compiled.exit_status, 0) << compiled.err;
  Bundle bundle(dir_.path() + "/b", {"/bin/sh", "-c", kWork});
  const Ran plain = bundle.Run("plain");
  ASSERT_EQ(plain.status, 0) << plain.err;
  const Ran enforced = RunEnforced(bundle, exported, "moby", {"/bin/sh", "-c", kWork});
  EXPECT_EQ(enforced.status, 0) << enforced.err;
  EXPECT_EQ(enforced.out, plain.out);
  // Docker's profile refuses unshare to a container without CAP_SYS_ADMIN: the original and the
  // exported one alike.
  const std::vector<std::string> refused = {"/bin/sh", "-c", "unshare -m true; echo status=$?"};
  const Ran original = RunEnforced(bundle, moby, "moby-original", refused);
  const Ran again = RunEnforced(bundle, exported, "moby-exported", refused);
  EXPECT_EQ(original.out, "status=1\n");
  EXPECT_NE(original.err.find("Operation not permitted"), std::string::npos) << original.err;
  EXPECT_EQ(again.out, original.out);
  EXPECT_EQ(again.err, original.err);
}

TEST_F(HookE2eTest, CrunHookUsesItsBaseAndTheKernelReportsRefusals) {
  if (std::string reason = RuntimeSkipReason("crun"); !reason.empty()) GTEST_SKIP() << reason;
  Bundle bundle(dir_.path() + "/b", {"/bin/sh", "-c", kWork});
  const std::string profile = dir_.path() + "/crun.json";
  bundle.AddRecordHook(profile, dir_.path() + "/hook.log");
  const Ran recorded = bundle.RunCrun("crec");
  ASSERT_EQ(recorded.status, 0) << recorded.err;
  ASSERT_TRUE(WaitForFile(profile, 10)) << ReadFile(dir_.path() + "/hook.log");
  const nlohmann::json oci = nlohmann::json::parse(ReadFile(profile));
  EXPECT_EQ(oci["flags"], nlohmann::json::array({"SECCOMP_FILTER_FLAG_LOG"}));  // crun applies it

  Watcher watcher(dir_.path());
  bundle.config().erase("hooks");
  bundle.config().erase("annotations");
  bundle.config()["linux"]["seccomp"] = oci;
  bundle.Save();
  const Ran same = bundle.RunCrun("csame");
  bundle.config()["process"]["args"] = {"/bin/sh", "-c", "mkdir /tmp/new; echo status=$?"};
  bundle.Save();
  const Ran outside = bundle.RunCrun("coutside");
  const std::vector<nlohmann::json> events = EventsOf(watcher.Stop(), bundle.exe());
  EXPECT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(same.out, recorded.out);
  EXPECT_EQ(outside.out, "status=1\n");
  // The one refusal of both runs, reported by the kernel with the container's executable.
  ASSERT_EQ(events.size(), 1u) << nlohmann::json(events).dump();
  EXPECT_TRUE(events[0]["syscall"] == "mkdir" || events[0]["syscall"] == "mkdirat") << events[0].dump();
  EXPECT_EQ(events[0]["outcome"], "denied") << events[0].dump();
}

TEST_F(HookE2eTest, PodmanRecordsThroughHooksDirAndEnforcesTheProfile) {
  if (std::string reason = RuntimeSkipReason("podman"); !reason.empty()) GTEST_SKIP() << reason;
  Bundle bundle(dir_.path() + "/b", {"/bin/true"});
  // The shipped hooks.d file, pointed at this build's binary.
  std::string hook = ReadFile(test_paths::SourceDir() + "/packaging/oci-hooks.d/sysfence-record.json");
  hook.replace(hook.find("/usr/bin/sysfence"), 17, test_paths::SysfenceCli());
  hook.replace(hook.find("/var/lib/sysfence/"), 18, dir_.path() + "/");
  fs::create_directories(dir_.path() + "/hooks.d");
  std::ofstream(dir_.path() + "/hooks.d/sysfence-record.json") << hook;
  const std::string profile = dir_.path() + "/podman.json";
  // Podman asks for RLIMIT_NOFILE 1048576; the limits here are lower, so ask for what they allow.
  const std::vector<std::string> podman = {"podman", "--hooks-dir", dir_.path() + "/hooks.d", "run", "--rm",
                                           "--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit",
                                           "nproc=1024:1024"};
  auto run = [&](std::vector<std::string> extra, const std::string& work) {
    std::vector<std::string> argv = podman;
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const std::string& arg : {std::string("--rootfs"), bundle.dir() + "/rootfs", std::string("/bin/sh"),
                                   std::string("-c"), work}) {
      argv.push_back(arg);
    }
    return RunProgram(argv);
  };
  const Ran recorded = run({"--annotation", "org.sysfence.record=" + profile}, kWork);
  ASSERT_EQ(recorded.status, 0) << recorded.err;
  ASSERT_TRUE(WaitForFile(profile, 10));
  // The shipped pattern keeps the hook to its folder: another path is not recorded.
  const std::string elsewhere = bundle.dir() + "/elsewhere.json";
  ASSERT_EQ(run({"--annotation", "org.sysfence.record=" + elsewhere}, "true").status, 0);
  const Ran same = run({"--security-opt", "seccomp=" + profile}, kWork);
  EXPECT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(same.out, recorded.out);
  const Ran outside = run({"--security-opt", "seccomp=" + profile}, "mkdir /tmp/new; echo status=$?");
  EXPECT_EQ(outside.out, "status=1\n") << outside.err;
  EXPECT_NE(outside.err.find("Operation not permitted"), std::string::npos) << outside.err;
  EXPECT_FALSE(fs::exists(elsewhere));
}

}  // namespace
}  // namespace sysfence::containertest
