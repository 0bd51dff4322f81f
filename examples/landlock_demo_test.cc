// SPDX-License-Identifier: Apache-2.0
// Runs examples/landlock_demo in a scratch directory: allowed paths work, others are denied.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sysfence/sysfence.h>

namespace {

using ::testing::HasSubstr;

TEST(LandlockDemo, AllowsInsideAndDeniesOutside) {
  if (sysfence::LandlockAbi() == 0) GTEST_SKIP() << "Landlock unavailable on this kernel";
  if (access("/etc/hostname", R_OK) != 0) GTEST_SKIP() << "/etc/hostname is missing";
  char pattern[] = "/tmp/sysfence-demo-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string root = pattern;
  const std::string dir = root + "/work";
  std::filesystem::create_directory(dir);

  const std::string command = std::string(LANDLOCK_DEMO_PATH) + " " + dir;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);

  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_THAT(out, HasSubstr("landlock: ABI " + std::to_string(sysfence::LandlockAbi())));
  EXPECT_THAT(out, HasSubstr("Permission denied"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/inside.txt"));
  EXPECT_FALSE(std::filesystem::exists(root + "/outside.txt"));
  std::filesystem::remove_all(root);
}

}  // namespace
