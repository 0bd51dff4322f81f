// SPDX-License-Identifier: Apache-2.0
// `sysfence run --strict` end to end: the CLI binary starts programs in seccomp strict mode through
// ptrace injection at the exec stop, against the running kernel. x86_64 only (the test programs in
// strict_program.c are built for it).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/live/live_util.h"

namespace sysfence::live {
namespace {

constexpr const char* kStrictKillMessage =
    "killed by seccomp strict mode (a syscall other than read, write, exit, sigreturn)";

class StrictLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    if (mode < 0) GTEST_SKIP() << "this kernel lacks seccomp (PR_GET_SECCOMP failed) [feature: seccomp-filter]";
    if (mode != 0)
      GTEST_SKIP()
          << "the test already runs under seccomp, so strict mode cannot be entered [feature: no-outer-seccomp]";
  }

  // Runs `sysfence run [extra...] --strict -- command...`.
  static Finished RunStrict(const std::vector<std::string>& command, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {SysfenceBinary(), "run"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("--strict");
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return RunCommand(argv);
  }
};

TEST_F(StrictLiveTest, ProgramBuiltForStrictModeRunsAndExitsZero) {
  const Finished run = RunStrict({SF_STRICT_HELLO_PATH});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "hello\n");
  EXPECT_EQ(run.err.find(kStrictKillMessage), std::string::npos) << run.err;
}

TEST_F(StrictLiveTest, AnyOtherSyscallIsKilledAndReported) {
  const Finished run = RunStrict({SF_STRICT_GETPID_PATH});
  EXPECT_EQ(run.out, "hello\n");  // the write before getpid ran
  EXPECT_EQ(run.status, 128 + 9) << run.err;
  EXPECT_NE(run.err.find(kStrictKillMessage), std::string::npos) << run.err;
}

TEST_F(StrictLiveTest, DynamicProgramDiesDuringStartup) {
  // Strict mode holds from the first instruction: the dynamic loader dies before main. glibc's
  // loader executes rdtsc before its first syscall, which faults in strict mode (SIGSEGV: the
  // kernel disables the time stamp counter); a loader that does not is killed by its first syscall.
  const Finished run = RunStrict({"/bin/true"});
  EXPECT_TRUE(run.status == 128 + SIGSEGV || run.status == 128 + SIGKILL) << run.status << " " << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("strict mode"), std::string::npos) << run.err;
}

TEST_F(StrictLiveTest, FailsClosedWhenStrictModeCannotBeEntered) {
  // Under a seccomp filter strict mode is refused (EINVAL): the program must never run unconfined.
  TempDir dir;
  const std::string policy = dir.Write("policy.sfp", "arch x86_64\ndefault allow\n");
  const Finished run = RunCommand({SysfenceBinary(), "run", "--quiet", "--policy", policy, "--", SysfenceBinary(),
                                   "run", "--strict", "--", SF_STRICT_HELLO_PATH});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_EQ(run.out, "");  // hello never ran
  EXPECT_NE(run.err.find("seccomp(SECCOMP_SET_MODE_STRICT)"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("EINVAL"), std::string::npos) << run.err;
}

TEST_F(StrictLiveTest, QuietKeepsTheKillMessageOff) {
  const Finished run = RunStrict({SF_STRICT_GETPID_PATH}, {"--quiet"});
  EXPECT_EQ(run.status, 128 + 9) << run.err;
  EXPECT_EQ(run.err, "");
}

TEST_F(StrictLiveTest, StrictWithPolicyIsAUsageErrorAndStartsNothing) {
  TempDir dir;
  const std::string policy = dir.Write("policy.sfp", "arch x86_64\ndefault allow\n");
  const std::string marker = dir.Path("started");
  const Finished run = RunStrict({"/bin/sh", "-c", "echo > " + marker}, {"--policy", policy});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("--policy"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(StrictLiveTest, StrictWithMonitorIsAUsageError) {
  const Finished run = RunStrict({SF_STRICT_HELLO_PATH}, {"--monitor"});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(StrictLiveTest, MissingProgramStartsNothing) {
  const Finished run = RunStrict({"/nonexistent/program"});
  EXPECT_EQ(run.status, 127) << run.err;
  EXPECT_NE(run.err.find("/nonexistent/program"), std::string::npos) << run.err;
}

TEST_F(StrictLiveTest, NoProgramIsAUsageError) {
  const Finished run = RunCommand({SysfenceBinary(), "run", "--strict"});
  EXPECT_EQ(run.status, 125) << run.err;
}

TEST_F(StrictLiveTest, RunWithoutPolicyOrStrictIsAUsageError) {
  const Finished run = RunCommand({SysfenceBinary(), "run", "--", "/bin/true"});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("--policy"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace sysfence::live
