// SPDX-License-Identifier: Apache-2.0
// `sysfence oci-hook` on bad input: missing or malformed state JSON, relative or unknown-format
// paths, a folder that cannot be written, a stage where the program already runs, a runtime it
// does not know. Each is one clear message and exit status 2, nothing recorded, no profile; run
// through runc, the container does not start and is not left half-created.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/containers/container_test_util.h"
#include "tests/support/cli_runner.h"

namespace sysfence::containertest {
namespace {

namespace fs = std::filesystem;
using testsupport::CliResult;
using testsupport::RunSysfence;
using testsupport::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A bundle folder with a config.json holding `annotations`, and a state naming it.
std::string StateFor(const TempDir& dir, const nlohmann::json& annotations, const std::string& status = "creating",
                     pid_t pid = getpid()) {
  nlohmann::json config = {{"ociVersion", "1.0.2"}, {"annotations", annotations}};
  dir.Write("config.json", config.dump());
  return nlohmann::json({{"ociVersion", "1.0.2"}, {"id", "c1"}, {"status", status}, {"pid", pid},
                         {"bundle", dir.path()}})
      .dump();
}

void ExpectBadInput(const CliResult& result, const std::string& message) {
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
}

TEST(HookBadInput, StateJson) {
  ExpectBadInput(RunSysfence({"oci-hook"}, ""), "standard input is empty");
  ExpectBadInput(RunSysfence({"oci-hook"}, "{\"id\": "), "container state $: not JSON at byte");
  ExpectBadInput(RunSysfence({"oci-hook"}, "[1]"), "container state $: expected an object");
  ExpectBadInput(RunSysfence({"oci-hook"}, R"({"ociVersion":"1","id":"x","status":"creating"})"),
                 "container state $.bundle: missing");
  ExpectBadInput(
      RunSysfence({"oci-hook"}, R"({"ociVersion":"1","id":"x","status":"creating","bundle":"/b","pid":"12"})"),
      "container state $.pid: expected a positive integer");
  ExpectBadInput(RunSysfence({"oci-hook"}, R"({"ociVersion":"1","id":"x","status":"creating","bundle":"rel"})"),
                 "container state $.bundle: expected an absolute path");
  ExpectBadInput(
      RunSysfence({"oci-hook"}, R"({"ociVersion":"1","id":"x","status":"creating","bundle":"/nonexistent-b"})"),
      "cannot read the bundle's /nonexistent-b/config.json");
}

TEST(HookBadInput, NoAnnotationDoesNothing) {
  TempDir dir;
  const CliResult result = RunSysfence({"oci-hook"}, StateFor(dir, {{"other", "x"}}));
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out, "");
}

TEST(HookBadInput, AnnotationPaths) {
  TempDir dir;
  ExpectBadInput(RunSysfence({"oci-hook"}, StateFor(dir, {{"org.sysfence.record", "out/p.json"}})),
                 "the profile's path must be absolute");
  ExpectBadInput(RunSysfence({"oci-hook"}, StateFor(dir, {{"org.sysfence.record", dir.path() + "/p.txt"}})),
                 "unknown extension");
  ExpectBadInput(RunSysfence({"oci-hook"}, StateFor(dir, {{"org.sysfence.record", dir.path() + "/no/p.sfp"}})),
                 "does not exist");
  // sysfs refuses new files even to root: a real write test, not access(2).
  ExpectBadInput(RunSysfence({"oci-hook"}, StateFor(dir, {{"org.sysfence.record", "/sys/kernel/p.sfp"}})),
                 "folder '/sys/kernel' is not writable");
  fs::create_symlink("/etc/hostname", dir.path() + "/link.sfp");
  ExpectBadInput(RunSysfence({"oci-hook"}, StateFor(dir, {{"org.sysfence.record", dir.path() + "/link.sfp"}})),
                 "exists and is not a regular file");
  EXPECT_FALSE(fs::exists(dir.path() + "/p.json"));
}

TEST(HookBadInput, StageAndProcess) {
  TempDir dir;
  const nlohmann::json ask = {{"org.sysfence.record", dir.path() + "/p.sfp"}};
  ExpectBadInput(RunSysfence({"oci-hook", "--runtime", "runc"}, StateFor(dir, ask, "running")),
                 "recording must start before its program does");
  ExpectBadInput(RunSysfence({"oci-hook", "--runtime", "runc"}, StateFor(dir, ask, "creating", 0x3ffffff0)),
                 "is gone");
  EXPECT_FALSE(fs::exists(dir.path() + "/p.sfp"));
}

TEST(HookBadInput, RuntimeThatIsNotRuncOrCrun) {
  // Run by this test program, not by a runtime: its parent is no runc.
  TempDir dir;
  const nlohmann::json ask = {{"org.sysfence.record", dir.path() + "/p.sfp"}};
  ExpectBadInput(RunSysfence({"oci-hook"}, StateFor(dir, ask)), "is neither runc nor crun");
  ExpectBadInput(RunSysfence({"oci-hook", "--runtime", "youki"}, StateFor(dir, ask)),
                 "the runtime 'youki' is neither runc nor crun");
  EXPECT_FALSE(fs::exists(dir.path() + "/p.sfp"));
}

TEST(HookBadInput, NoEbpfIsTheEnvironmentRefusing) {
  if (geteuid() != 0) GTEST_SKIP() << "[feature: root] needs root to drop to another user";
  if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "[feature: setpriv] setpriv is not installed";
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::all);  // the unprivileged hook may write its profile here
  const nlohmann::json ask = {{"org.sysfence.record", dir.path() + "/p.sfp"}};
  const std::string state = StateFor(dir, ask);
  const containertest::Ran ran =
      RunProgram({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", testsupport::SysfenceBinary(),
                  "oci-hook", "--runtime", "runc"},
                 state);
  EXPECT_EQ(ran.status, 3) << ran.err;
  EXPECT_NE(ran.err.find("cannot record container c1: the ebpf backend needs root"), std::string::npos) << ran.err;
  EXPECT_FALSE(fs::exists(dir.path() + "/p.sfp"));
}

class HookBadInputUnderRunc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = ContainerSkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  }
  TempDir dir_;
};

TEST_F(HookBadInputUnderRunc, RelativeAnnotationFailsTheStartAndLeavesNoContainer) {
  Bundle bundle(dir_.path() + "/b", {"/bin/echo", "started"});
  bundle.AddRecordHook("relative/p.sfp", dir_.path() + "/hook.log");
  const Ran ran = bundle.Run("rel");
  EXPECT_NE(ran.status, 0);
  EXPECT_EQ(ran.out.find("started"), std::string::npos);
  EXPECT_NE(ran.err.find("the profile's path must be absolute"), std::string::npos) << ran.err;
  const Ran list = RunProgram({"runc", "--root", bundle.dir() + "/state", "list", "-q"});
  EXPECT_EQ(list.out, "") << "left behind: " << list.out;
}

TEST_F(HookBadInputUnderRunc, ContainerThatExitsAtOnceGetsItsProfile) {
  Bundle bundle(dir_.path() + "/b", {"/bin/true"});
  const std::string profile = dir_.path() + "/true.sfp";
  bundle.AddRecordHook(profile, dir_.path() + "/hook.log");
  ASSERT_EQ(bundle.Run("quick").status, 0);
  ASSERT_TRUE(WaitForFile(profile, 10)) << ReadFile(dir_.path() + "/hook.log");
  // /bin/true's whole life: a few start-up calls, then exit_group; execve comes with runc's base.
  const std::string text = ReadFile(profile);
  EXPECT_TRUE(std::regex_search(text, std::regex("\nallow [^\n]* execve "))) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex("\nallow exit_group\n"))) << text;
  EXPECT_EQ(RunSysfence({"check", profile}).exit_status, 0);
}

TEST_F(HookBadInputUnderRunc, ContainerWhoseProgramNeverRunsLeavesNoProfile) {
  Bundle bundle(dir_.path() + "/b", {"/bin/no-such-program"});
  const std::string profile = dir_.path() + "/never.sfp";
  const std::string log = dir_.path() + "/hook.log";
  bundle.AddRecordHook(profile, log);
  EXPECT_NE(bundle.Run("never").status, 0);
  ASSERT_TRUE(WaitForFile(log, 10));
  for (int i = 0; i < 100 && ReadFile(log).find("no profile written") == std::string::npos; ++i) {
    usleep(20000);
  }
  EXPECT_NE(ReadFile(log).find("its program never ran; no profile written"), std::string::npos) << ReadFile(log);
  EXPECT_FALSE(fs::exists(profile));
}

TEST_F(HookBadInputUnderRunc, StoppedRecorderWritesNoPartialProfile) {
  Bundle bundle(dir_.path() + "/b", {"/bin/sleep", "2"});
  const std::string profile = dir_.path() + "/stopped.sfp";
  const std::string log = dir_.path() + "/hook.log";
  bundle.AddRecordHook(profile, log);
  const std::string state = bundle.dir() + "/state";
  ASSERT_EQ(RunProgram({"runc", "--root", state, "run", "-d", "--bundle", bundle.dir(), "stop"}).status, 0);
  // The recorder is the detached sysfence in its own session: find it by its command line.
  const Ran found = RunProgram({"pgrep", "-f", "-n", "oci-hook --log " + log});
  ASSERT_EQ(found.status, 0) << "no recorder running";
  RunProgram({"kill", "-TERM", found.out.substr(0, found.out.find('\n'))});
  for (int i = 0; i < 200 && ReadFile(log).find("no profile written") == std::string::npos; ++i) usleep(20000);
  EXPECT_NE(ReadFile(log).find("recording stopped by signal 15 before the container exited"), std::string::npos)
      << ReadFile(log);
  RunProgram({"runc", "--root", state, "delete", "-f", "stop"});
  usleep(200000);
  EXPECT_FALSE(fs::exists(profile));
}

}  // namespace
}  // namespace sysfence::containertest
