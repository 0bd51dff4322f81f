// SPDX-License-Identifier: Apache-2.0
#include "os/detach.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sysfence::os {
namespace {

std::string ScratchFile(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("sf-detach-") + std::to_string(getpid()) + name))
      .string();
}

TEST(RunDetached, ReturnsOnceReadyWhileTheWorkGoesOnInAnotherSession) {
  const std::string done = ScratchFile("-done");
  std::filesystem::remove(done);
  const auto start = std::chrono::steady_clock::now();
  Result<pid_t> pid = RunDetached([&](DetachedReporter& reporter) {
    reporter.Ready();
    usleep(300 * 1000);  // the caller has long returned by now
    std::ofstream(done) << getsid(0) << " " << getppid();
    return 0;
  });
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  EXPECT_FALSE(std::filesystem::exists(done));
  for (int i = 0; i < 200 && !std::filesystem::exists(done); ++i) usleep(10 * 1000);
  std::ifstream in(done);
  pid_t session = 0, parent = 0;
  in >> session >> parent;
  EXPECT_NE(session, getsid(0));  // its own session: no terminal signals reach it
  EXPECT_NE(parent, getpid());    // not our child: nothing to wait for
  std::filesystem::remove(done);
}

TEST(RunDetached, StandardStreamsAreNotInherited) {
  // Like runc, which waits for a hook's output pipes to close: the pipe's read end sees EOF as
  // soon as the caller's copy closes, though the detached work still runs.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int saved = dup(1);
  dup2(fds[1], 1);
  close(fds[1]);
  Result<pid_t> pid = RunDetached([](DetachedReporter& reporter) {
    reporter.Ready();
    usleep(500 * 1000);
    return 0;
  });
  dup2(saved, 1);
  close(saved);
  ASSERT_TRUE(pid.ok());
  const auto start = std::chrono::steady_clock::now();
  char byte;
  EXPECT_EQ(read(fds[0], &byte, 1), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  close(fds[0]);
}

TEST(RunDetached, FailAndEarlyExitAreErrors) {
  Result<pid_t> failed = RunDetached([](DetachedReporter& reporter) {
    reporter.Fail(ErrorCode::kPermission, "cannot load: no CAP_BPF");
    return 3;
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kPermission);
  EXPECT_EQ(failed.error().message, "cannot load: no CAP_BPF");

  Result<pid_t> silent = RunDetached([](DetachedReporter&) { return 1; });
  ASSERT_FALSE(silent.ok());
  EXPECT_NE(silent.error().message.find("exited before it was under way"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::os
