// SPDX-License-Identifier: Apache-2.0
#include "os/cgroup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace sysfence::os {
namespace {

TEST(Cgroup, OwnCgroupHoldsThisProcess) {
  if (CgroupV2Mount().empty()) GTEST_SKIP() << "no cgroup2 file system mounted";
  Result<std::string> dir = CgroupDirOf(getpid());
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  Result<std::vector<pid_t>> members = CgroupProcesses(dir.value());
  ASSERT_TRUE(members.ok());
  EXPECT_TRUE(std::binary_search(members.value().begin(), members.value().end(), getpid()));
  Result<std::vector<pid_t>> tree = CgroupTreeProcesses(dir.value());
  ASSERT_TRUE(tree.ok());
  EXPECT_TRUE(std::binary_search(tree.value().begin(), tree.value().end(), getpid()));
}

TEST(Cgroup, PathsResolveAsFoldersOrAsProcWritesThem) {
  const std::string mount = CgroupV2Mount();
  if (mount.empty()) GTEST_SKIP() << "no cgroup2 file system mounted";
  Result<std::string> root = ResolveCgroupDir("/");
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_TRUE(std::filesystem::exists(root.value() + "/cgroup.procs"));
  EXPECT_TRUE(ResolveCgroupDir(mount).ok());
  Result<std::string> missing = ResolveCgroupDir("/no-such-cgroup-here");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("no cgroup '/no-such-cgroup-here'"), std::string::npos);
  EXPECT_EQ(ResolveCgroupDir("").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(CgroupProcesses("/nonexistent").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(CgroupDirOf(0x3ffffff0).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sysfence::os
