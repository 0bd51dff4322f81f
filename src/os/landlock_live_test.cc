// SPDX-License-Identifier: Apache-2.0
// Landlock on the running kernel. Every restriction happens in a forked child (a Landlock domain
// cannot be left); the child reports through its exit status. Skipped with the reason when the
// kernel has no Landlock or too old an ABI.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "os/landlock.h"
#include "os/landlock_uapi.h"
#include "tests/support/run_in_child.h"

namespace sysfence::os {
namespace {

namespace uapi = landlock_uapi;
using ::testing::HasSubstr;
using testsupport::RunInChild;

// Child exit codes that say which check failed.
constexpr int kChildOk = 0;
constexpr int kApplyFailed = 10;

int OpenErrno(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

class LandlockLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    abi_ = ProbeLandlockAbi(&reason);
    if (abi_ == 0) GTEST_SKIP() << "Landlock unavailable [feature: landlock]: " << reason;
    char pattern[] = "/tmp/sysfence-landlock-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    std::filesystem::create_directory(root_ + "/allowed");
    std::filesystem::create_directory(root_ + "/denied");
    WriteFile(root_ + "/allowed/a.txt", "allowed");
    WriteFile(root_ + "/denied/b.txt", "denied");
  }
  void TearDown() override {
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  static void WriteFile(const std::string& path, const std::string& text) {
    FILE* file = fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    fputs(text.c_str(), file);
    fclose(file);
  }
  static LandlockPathGrant Fs(uint64_t access, std::string path, uint32_t line = 1) {
    return LandlockPathGrant{access, {std::move(path)}, SourceSpan{"live.sfp", line, 1, 0, ""}};
  }

  int abi_ = 0;
  std::string root_;
};

TEST_F(LandlockLiveTest, DeniedOpenAndAllowedOpen) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile | uapi::kFsReadDir, root_ + "/allowed")};
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    if (!report.ok() || !report->applied) return kApplyFailed;
    if (OpenErrno(root_ + "/allowed/a.txt", O_RDONLY) != 0) return 1;
    if (OpenErrno(root_ + "/denied/b.txt", O_RDONLY) != EACCES) return 2;
    if (OpenErrno(root_ + "/allowed/a.txt", O_WRONLY) != EACCES) return 3;  // read-only grant
    if (OpenErrno(root_ + "/allowed/new.txt", O_WRONLY | O_CREAT) != EACCES) return 4;
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
  // Without Landlock the same opens succeed: the denials above come from the ruleset.
  EXPECT_EQ(OpenErrno(root_ + "/denied/b.txt", O_RDONLY), 0);
}

TEST_F(LandlockLiveTest, ReportsTheKernelAbiAndStatus) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile, root_ + "/allowed")};
  const int expected_status = abi_ >= 5 ? 0 : 1;
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    if (!report.ok()) return kApplyFailed;
    if (report->abi != abi_) return 20;
    return report->status == LandlockStatus::kFullyEnforced ? 0 : 1;
  });
  EXPECT_EQ(result, expected_status);
}

TEST_F(LandlockLiveTest, TruncateOnReadOnlyPathIsDenied) {
  if (abi_ < 3)
    GTEST_SKIP() << "truncate is restricted from Landlock ABI 3 [feature: landlock-abi-3]; kernel has " << abi_;
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile | uapi::kFsReadDir, root_ + "/allowed")};
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kRequire);
    if (!report.ok()) return kApplyFailed;
    if (OpenErrno(root_ + "/allowed/a.txt", O_RDONLY | O_TRUNC) != EACCES) return 1;
    if (truncate((root_ + "/allowed/a.txt").c_str(), 0) == 0 || errno != EACCES) return 2;
    const int fd = creat((root_ + "/allowed/a.txt").c_str(), 0644);
    if (fd >= 0 || errno != EACCES) return 3;
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
  EXPECT_EQ(std::filesystem::file_size(root_ + "/allowed/a.txt"), 7u);  // never truncated
}

TEST_F(LandlockLiveTest, WriteGrantAllowsTruncateToo) {
  if (abi_ < 3)
    GTEST_SKIP() << "truncate is restricted from Landlock ABI 3 [feature: landlock-abi-3]; kernel has " << abi_;
  // Only write-file is granted; without the pairing, O_TRUNC would be EACCES.
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsWriteFile, root_ + "/allowed")};
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    if (!report.ok()) return kApplyFailed;
    if (OpenErrno(root_ + "/allowed/a.txt", O_WRONLY | O_TRUNC) != 0) return 1;
    if (OpenErrno(root_ + "/denied/b.txt", O_WRONLY) != EACCES) return 2;
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
  EXPECT_EQ(std::filesystem::file_size(root_ + "/allowed/a.txt"), 0u);
}

TEST_F(LandlockLiveTest, FileRuleKeepsOnlyFileRights) {
  // A rule on a file (not a directory) with directory rights: the file rights still apply.
  const std::vector<LandlockPathGrant> rules = {
      Fs(uapi::kFsReadFile | uapi::kFsReadDir | uapi::kFsMakeReg, root_ + "/allowed/a.txt")};
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    if (!report.ok()) return kApplyFailed;
    if (OpenErrno(root_ + "/allowed/a.txt", O_RDONLY) != 0) return 1;
    if (OpenErrno(root_ + "/denied/b.txt", O_RDONLY) != EACCES) return 2;
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
}

TEST_F(LandlockLiveTest, FdOpenedBeforeStaysUsable) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile, root_ + "/allowed")};
  const int result = RunInChild([&] {
    const int early = open((root_ + "/denied/b.txt").c_str(), O_RDONLY | O_CLOEXEC);
    if (early < 0) return 1;
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    if (!report.ok()) return kApplyFailed;
    char buffer[16] = {};
    if (read(early, buffer, sizeof buffer) != 6) return 2;
    if (OpenErrno(root_ + "/denied/b.txt", O_RDONLY) != EACCES) return 3;
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
}

TEST_F(LandlockLiveTest, RenameAcrossDirectoriesNeedsRefer) {
  if (abi_ < 2) GTEST_SKIP() << "refer needs Landlock ABI 2 [feature: landlock-abi-2]; kernel has " << abi_;
  const uint64_t files = uapi::kFsReadFile | uapi::kFsWriteFile | uapi::kFsReadDir | uapi::kFsMakeReg |
                         uapi::kFsRemoveFile;
  const std::string from = root_ + "/allowed/a.txt";
  const std::string to = root_ + "/denied/a.txt";
  const int without = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock(
        {{Fs(files, root_ + "/allowed"), Fs(files, root_ + "/denied")}, {}}, LandlockMode::kBestEffort);
    if (!report.ok()) return kApplyFailed;
    if (rename(from.c_str(), to.c_str()) == 0) return 1;
    return errno == EXDEV ? kChildOk : 2;
  });
  EXPECT_EQ(without, kChildOk);
  const int with = RunInChild([&] {
    Result<LandlockReport> report =
        ApplyLandlock({{Fs(files | uapi::kFsRefer, root_ + "/allowed"), Fs(files | uapi::kFsRefer, root_ + "/denied")}, {}},
                      LandlockMode::kBestEffort);
    if (!report.ok()) return kApplyFailed;
    return rename(from.c_str(), to.c_str()) == 0 ? kChildOk : 1;
  });
  EXPECT_EQ(with, kChildOk);
}

uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// 0 on success, else errno, for bind or connect to 127.0.0.1:port.
int TcpErrno(bool do_bind, uint16_t port, int* listener = nullptr) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const int rc = do_bind ? bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address)
                         : connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  const int err = rc == 0 ? 0 : errno;
  if (rc == 0 && do_bind && listener != nullptr && listen(fd, 4) == 0) {
    *listener = fd;
    return 0;
  }
  close(fd);
  return err;
}

TEST_F(LandlockLiveTest, TcpBindAndConnectRules) {
  if (abi_ < 4) GTEST_SKIP() << "TCP rules need Landlock ABI 4 [feature: landlock-abi-4]; kernel has " << abi_;
  const uint16_t allowed = FreeLoopbackPort();
  uint16_t other = FreeLoopbackPort();
  while (other == allowed) other = FreeLoopbackPort();
  ASSERT_NE(allowed, 0);
  LandlockPortGrant bind_rule;
  bind_rule.access = uapi::kNetBindTcp;
  bind_rule.port = allowed;
  LandlockPortGrant connect_rule;
  connect_rule.access = uapi::kNetConnectTcp;
  connect_rule.port = allowed;
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({{}, {bind_rule, connect_rule}}, LandlockMode::kRequire);
    if (!report.ok()) return kApplyFailed;
    if (TcpErrno(true, other) != EACCES) return 1;
    int listener = -1;
    if (TcpErrno(true, allowed, &listener) != 0) return 2;
    if (TcpErrno(false, allowed) != 0) return 3;
    if (TcpErrno(false, other) != EACCES) return 4;
    close(listener);
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
}

TEST_F(LandlockLiveTest, RequireRefusesOnAnOlderAbiAndAppliesNothing) {
  // Simulate an older kernel by planning for ABI 2: truncate and ioctl-dev cannot be enforced.
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile, root_ + "/allowed", 4)};
  Result<LandlockPlan> plan = PlanLandlock({rules, {}}, 2, LandlockMode::kRequire);
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.error().message, HasSubstr("truncate (needs ABI 3)"));
  // best-effort on the same simulated ABI applies the rest, and reports it partial.
  Result<LandlockPlan> best = PlanLandlock({rules, {}}, 2, LandlockMode::kBestEffort);
  ASSERT_TRUE(best.ok());
  const int result = RunInChild([&] {
    Result<PreparedLandlock> prepared = PrepareLandlock(*best, LandlockMode::kBestEffort);
    if (!prepared.ok() || !prepared->Enforce().ok()) return kApplyFailed;
    if (prepared->report().status != LandlockStatus::kPartiallyEnforced) return 1;
    if (OpenErrno(root_ + "/denied/b.txt", O_RDONLY) != EACCES) return 2;
    // Truncate is not handled by the ABI-2 ruleset: O_TRUNC on a read-only grant succeeds.
    if (OpenErrno(root_ + "/allowed/a.txt", O_RDONLY | O_TRUNC) != 0) return 3;
    return kChildOk;
  });
  EXPECT_EQ(result, kChildOk);
}

TEST_F(LandlockLiveTest, MissingPathNamesTheRule) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile, root_ + "/allowed", 3),
                                             Fs(uapi::kFsReadFile, root_ + "/no-such-dir", 7)};
  const int result = RunInChild([&] {
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    if (report.ok()) return 1;
    if (report.error().code != ErrorCode::kNotFound) return 2;
    if (report.error().message.find("live.sfp:7:1") == std::string::npos) return 3;
    if (report.error().message.find("no-such-dir") == std::string::npos) return 4;
    // Nothing was applied.
    return OpenErrno(root_ + "/denied/b.txt", O_RDONLY) == 0 ? kChildOk : 5;
  });
  EXPECT_EQ(result, kChildOk);
}

TEST_F(LandlockLiveTest, RefusesToRestrictOneThreadOfMany) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile, root_ + "/allowed")};
  const int result = RunInChild([&] {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return 1;
    std::thread sibling([&] {
      char byte;
      (void)!read(pipe_fds[0], &byte, 1);
    });
    Result<LandlockReport> report = ApplyLandlock({rules, {}}, LandlockMode::kBestEffort);
    (void)!write(pipe_fds[1], "x", 1);
    sibling.join();
    if (abi_ >= 8) return report.ok() && report->thread_sync ? kChildOk : 2;
    if (report.ok()) return 3;
    if (report.error().message.find("2 threads") == std::string::npos) return 4;
    return OpenErrno(root_ + "/denied/b.txt", O_RDONLY) == 0 ? kChildOk : 5;
  });
  EXPECT_EQ(result, kChildOk);
}

TEST(LandlockThreads, CountsThreadsOfSelf) {
  Result<int> before = CountThreadsOfSelf();
  ASSERT_TRUE(before.ok()) << before.error().message;
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  std::thread sibling([&] {
    char byte;
    (void)!read(pipe_fds[0], &byte, 1);
  });
  Result<int> during = CountThreadsOfSelf();
  (void)!write(pipe_fds[1], "x", 1);
  sibling.join();
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(*during, *before + 1);
}

}  // namespace
}  // namespace sysfence::os
