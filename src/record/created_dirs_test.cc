// SPDX-License-Identifier: Apache-2.0
#include "record/created_dirs.h"

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace sysfence::record {
namespace {

TEST(CreatedDirsTest, WhatHappensInCreatedFoldersMovesToTheFolderThatHeldThem) {
  Profile profile;
  profile.paths["/w"] = policy::kFsMakeDir;
  profile.paths["/w/sub"] = policy::kFsMakeDir | kFsCreatedDirMarker;
  profile.paths["/w/sub/deeper"] = policy::kFsMakeReg | policy::kFsWriteFile | kFsCreatedDirMarker;
  profile.paths["/w/subway"] = policy::kFsReadFile;  // a sibling whose name starts alike stays
  profile.paths["/etc/passwd"] = policy::kFsReadFile;
  FoldCreatedDirectories(profile);
  const std::map<std::string, uint32_t> expected = {
      {"/etc/passwd", policy::kFsReadFile},
      {"/w", policy::kFsMakeDir | policy::kFsMakeReg | policy::kFsWriteFile},
      {"/w/subway", policy::kFsReadFile},
  };
  EXPECT_EQ(profile.paths, expected);
}

TEST(CreatedDirsTest, WithoutMarksNothingMoves) {
  Profile profile;
  profile.paths["/w/sub"] = policy::kFsMakeReg;
  const auto before = profile.paths;
  FoldCreatedDirectories(profile);
  EXPECT_EQ(profile.paths, before);
}

}  // namespace
}  // namespace sysfence::record
