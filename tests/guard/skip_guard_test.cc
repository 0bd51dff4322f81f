// SPDX-License-Identifier: Apache-2.0
// The skip guard: how a skip reason's feature tags are read and judged, and, end to end, that a
// skip fails this very binary under SYSFENCE_REQUIRE_FEATURES=1 unless the feature is missing.
#include "tests/guard/skip_guard.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sysfence::testguard {
namespace {

TEST(SkipGuardTest, ReadsEveryFeatureTag) {
  EXPECT_EQ(FeatureTags("needs root and setpriv [feature: root] [feature: setpriv]"),
            (std::vector<std::string>{"root", "setpriv"}));
  EXPECT_TRUE(FeatureTags("no tag here").empty());
  EXPECT_TRUE(FeatureTags("[feature: ] [feature: unterminated").empty());
}

TEST(SkipGuardTest, SplitsTheMissingList) {
  EXPECT_EQ(SplitFeatureList(" ia32,root\nlandlock-abi-8 "), (std::vector<std::string>{"ia32", "root", "landlock-abi-8"}));
  EXPECT_TRUE(SplitFeatureList("").empty());
}

TEST(SkipGuardTest, AcceptsOnlyASkipNamingAMissingFeature) {
  EXPECT_EQ(SkipVerdict("int 0x80 is off [feature: ia32]", {"ia32"}), "");
  EXPECT_EQ(SkipVerdict("[feature: root] [feature: setpriv]", {"setpriv"}), "");
  const std::string present = SkipVerdict("Landlock unavailable [feature: landlock]", {"ia32"});
  EXPECT_NE(present.find("finds what it names present here (landlock)"), std::string::npos) << present;
  EXPECT_NE(present.find("missing here: ia32"), std::string::npos) << present;
  const std::string untagged = SkipVerdict("sysfence binary not built", {"ia32"});
  EXPECT_NE(untagged.find("names no [feature: NAME]"), std::string::npos) << untagged;
  // "landlock" missing does not excuse a skip that needs a newer ABI only by name prefix.
  EXPECT_NE(SkipVerdict("[feature: landlock-abi-6]", {"landlock"}), "");
}

// The subject of the end-to-end test, run only in a child (DISABLED_ keeps it out of normal runs).
TEST(SkipGuardSubject, DISABLED_Skips) {
  const char* reason = std::getenv("SKIP_GUARD_SUBJECT_REASON");
  GTEST_SKIP() << (reason != nullptr ? reason : "");
}

struct ChildRun {
  int exit_status = -1;
  std::string output;
};

// Runs the subject in a child of this binary with exactly these guard variables.
ChildRun RunSubject(const char* require, const char* missing, const char* reason) {
  char self[4096] = {};
  const ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length <= 0) return {};
  int out[2];
  if (pipe(out) != 0) return {};
  const pid_t child = fork();
  if (child == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[0]);
    close(out[1]);
    unsetenv("SYSFENCE_REQUIRE_FEATURES");
    unsetenv("SYSFENCE_MISSING_FEATURES");
    unsetenv("GTEST_OUTPUT");
    if (require != nullptr) setenv("SYSFENCE_REQUIRE_FEATURES", require, 1);
    if (missing != nullptr) setenv("SYSFENCE_MISSING_FEATURES", missing, 1);
    setenv("SKIP_GUARD_SUBJECT_REASON", reason, 1);
    execl(self, self, "--gtest_filter=SkipGuardSubject.DISABLED_Skips", "--gtest_also_run_disabled_tests",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  ChildRun run;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof(buffer))) > 0;) run.output.append(buffer, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(child, &status, 0);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

TEST(SkipGuardTest, WithoutTheSwitchASkipIsASkip) {
  const ChildRun run = RunSubject(nullptr, nullptr, "no reason given");
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("[  SKIPPED ] SkipGuardSubject.DISABLED_Skips"), std::string::npos) << run.output;
}

TEST(SkipGuardTest, UnderTheSwitchAnUntaggedSkipFails) {
  const ChildRun run = RunSubject("1", "ia32", "sysfence binary not built");
  EXPECT_EQ(run.exit_status, 1) << run.output;
  EXPECT_NE(run.output.find("[  FAILED  ] SkipGuardSubject.DISABLED_Skips"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("names no [feature: NAME]"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("[  SKIPPED ]"), std::string::npos) << run.output;
}

TEST(SkipGuardTest, UnderTheSwitchASkipForAPresentFeatureFails) {
  const ChildRun run = RunSubject("1", "ia32", "Landlock unavailable [feature: landlock]");
  EXPECT_EQ(run.exit_status, 1) << run.output;
  EXPECT_NE(run.output.find("present here (landlock)"), std::string::npos) << run.output;
}

TEST(SkipGuardTest, UnderTheSwitchASkipForAMissingFeatureStaysASkip) {
  const ChildRun run = RunSubject("1", "root ia32", "int 0x80 is off [feature: ia32]");
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("[  SKIPPED ] SkipGuardSubject.DISABLED_Skips"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace sysfence::testguard
