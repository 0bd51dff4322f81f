// SPDX-License-Identifier: Apache-2.0
// ApplySandbox and EnterStrictMode in forked children: the filter covers every thread, Landlock is
// applied, and failures name their step and leave the process untouched.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysfence/sysfence.h"
#include "tests/support/run_in_child.h"

namespace sysfence {
namespace {

using ::testing::HasSubstr;

using testsupport::RunInChild;

bool SeccompActive() { return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0; }

TEST(ApplySandbox, FilterCoversThreadsStartedBefore) {
  const int result = RunInChild([] {
    StatusOr<Policy> policy = PolicyBuilder().Default("allow").Rule("errno EPERM", {"getppid"}).Build();
    if (!policy.ok()) return 10;
    int fds[2];
    if (pipe(fds) != 0) return 11;
    int sibling_errno = 0;
    std::thread sibling([&] {
      char byte;
      (void)!read(fds[0], &byte, 1);
      sibling_errno = syscall(SYS_getppid) == -1 ? errno : 0;
    });
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    (void)!write(fds[1], "x", 1);
    sibling.join();
    if (!report.ok()) return 12;
    if (!report->filter_all_threads || report->landlock_status != "not-requested") return 13;
    if (sibling_errno != EPERM) return 14;
    return syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 15;
  });
  EXPECT_EQ(result, 0);
}

TEST(ApplySandbox, AppliesLandlockFromFsRules) {
  if (LandlockAbi() == 0) GTEST_SKIP() << "Landlock unavailable on this kernel [feature: landlock]";
  char pattern[] = "/tmp/sysfence-api-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const int result = RunInChild([&] {
    StatusOr<Policy> policy = PolicyBuilder().Default("allow").Fs("read", {dir}).Build();
    if (!policy.ok()) return 10;
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    if (!report.ok()) return 11;
    if (report->landlock_abi != LandlockAbi()) return 12;
    if (report->ToString().find("landlock: ABI") == std::string::npos) return 13;
    const int inside = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (inside < 0) return 14;
    if (open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES) return 15;
    return 0;
  });
  std::filesystem::remove_all(dir);
  EXPECT_EQ(result, 0);
}

TEST(ApplySandbox, MissingLandlockPathFailsBeforeAnythingIsApplied) {
  const int result = RunInChild([] {
    StatusOr<Policy> policy = PolicyBuilder()
                                  .Default("allow")
                                  .Fs("read", {"/usr"})
                                  .Fs("read", {"/nonexistent-sysfence-path"})
                                  .Build();
    if (!policy.ok()) return 10;
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    if (report.ok()) return 11;
    if (report.status().step() != "landlock") return 12;
    if (report.status().message().find("PolicyBuilder:3:1") == std::string::npos) return 13;
    return SeccompActive() ? 14 : 0;
  });
  EXPECT_EQ(result, 0);
}

TEST(ApplySandbox, RefusesLandlockWithThreadsBeforeAbi8) {
  const int abi = LandlockAbi();
  if (abi == 0) GTEST_SKIP() << "Landlock unavailable on this kernel [feature: landlock]";
  if (abi >= 8)
    GTEST_SKIP() << "ABI " << abi << " synchronizes threads (TSYNC): nothing to refuse [feature: landlock-abi-below-8]";
  const int result = RunInChild([] {
    StatusOr<Policy> policy = PolicyBuilder().Default("allow").Fs("read", {"/usr"}).Build();
    if (!policy.ok()) return 10;
    int fds[2];
    if (pipe(fds) != 0) return 11;
    std::thread sibling([&] {
      char byte;
      (void)!read(fds[0], &byte, 1);
    });
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    (void)!write(fds[1], "x", 1);
    sibling.join();
    if (report.ok()) return 12;
    if (report.status().step() != "landlock") return 13;
    if (report.status().message().find("threads") == std::string::npos) return 14;
    if (SeccompActive()) return 15;  // nothing applied
    return open("/etc/hostname", O_RDONLY) >= 0 ? 0 : 16;
  });
  EXPECT_EQ(result, 0);
}

TEST(ApplySandbox, CompileErrorNamesTheStep) {
  // 4096+ instructions cannot be installed: 1500 rules comparing a 64-bit argument.
  PolicyBuilder builder;
  builder.Default("allow");
  for (int i = 0; i < 1500; ++i) builder.RuleIf("errno EPERM", "mmap", "addr == " + std::to_string(7 * i + 1));
  StatusOr<Policy> policy = builder.Build();
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  const int result = RunInChild([&] {
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    if (report.ok()) return 10;
    if (report.status().step() != "compile") return 11;
    if (report.status().message().rfind("compile: ", 0) != 0) return 12;
    return SeccompActive() ? 13 : 0;
  });
  EXPECT_EQ(result, 0);
}

// The value of a "Cap...:" line of /proc/self/status, or "" when missing.
std::string StatusLine(const std::string& key) {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return "";
  char line[256];
  std::string value;
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::string(line).rfind(key + ":\t", 0) == 0) value = std::string(line + key.size() + 2);
  }
  std::fclose(status);
  return value;
}

TEST(ApplySandbox, AppliesRlimitsAndCapabilitiesToTheProcess) {
  if (geteuid() != 0) GTEST_SKIP() << "capabilities to drop need root [feature: root]";
  const int result = RunInChild([] {
    StatusOr<Policy> policy =
        Policy::FromText("arch x86_64\ndefault allow\ncaps keep CAP_NET_RAW\nrlimit NOFILE 20 40\n", "p.sfp");
    if (!policy.ok()) return 10;
    if (!ApplySandbox(*policy).ok()) return 11;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur != 20 || limit.rlim_max != 40) return 12;
    if (StatusLine("CapEff") != "0000000000002000\n" || StatusLine("CapBnd") != "0000000000002000\n") return 13;
    if (StatusLine("CapAmb") != "0000000000002000\n") return 14;
    return 0;
  });
  EXPECT_EQ(result, 0);
}

TEST(ApplySandbox, RefusedPrivilegesNameTheirStepAndStopBeforeTheFilter) {
  const int result = RunInChild([] {
    // No process may raise RLIMIT_NOFILE past fs.nr_open, root included.
    FILE* nr_open_file = std::fopen("/proc/sys/fs/nr_open", "r");
    unsigned long nr_open = 0;
    if (nr_open_file == nullptr || std::fscanf(nr_open_file, "%lu", &nr_open) != 1) return 9;
    std::fclose(nr_open_file);
    const std::string bounding = StatusLine("CapBnd");
    const std::string text = "arch x86_64\ndefault allow\nerrno EPERM getppid\nrlimit NOFILE 16 " +
                             std::to_string(nr_open + 1) + "\ncaps keep none\n";
    StatusOr<Policy> policy = Policy::FromText(text, "p.sfp");
    if (!policy.ok()) return 10;
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    if (report.ok()) return 11;
    if (report.status().step() != "rlimits") return 12;
    if (report.status().message().find("cannot set rlimit NOFILE") == std::string::npos) return 13;
    if (StatusLine("CapBnd") != bounding) return 14;  // the capabilities step never ran
    return SeccompActive() ? 15 : 0;
  });
  EXPECT_EQ(result, 0);
}

TEST(EnterStrictMode, PublicEntryPoint) {
  const int killed = RunInChild([] {
    if (!EnterStrictMode().ok()) return 10;
    syscall(SYS_getpid);
    return 0;
  });
  EXPECT_EQ(killed, 1000 + SIGKILL);
  const int refused = RunInChild([] {
    StatusOr<Policy> policy = PolicyBuilder().Default("allow").Build();
    if (!policy.ok() || !ApplySandbox(*policy).ok()) return 10;
    Status status = EnterStrictMode();
    if (status.ok()) return 11;
    return status.step() == "strict-mode" ? 0 : 12;
  });
  EXPECT_EQ(refused, 0);
}

}  // namespace
}  // namespace sysfence
