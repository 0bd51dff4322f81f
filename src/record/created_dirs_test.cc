// SPDX-License-Identifier: Apache-2.0
#include "record/created_dirs.h"

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace sysfence::record {
namespace {

TEST(CreatedDirsTest, WhatHappensInCreatedFoldersMovesToTheFolderThatHeldThem) {
  profile::Profile recording;
  recording.paths["/w"] = policy::kFsMakeDir;
  recording.paths["/w/sub"] = policy::kFsMakeDir | kFsCreatedDirMarker;
  recording.paths["/w/sub/deeper"] = policy::kFsMakeReg | policy::kFsWriteFile | kFsCreatedDirMarker;
  recording.paths["/w/subway"] = policy::kFsReadFile;  // a sibling whose name starts alike stays
  recording.paths["/etc/passwd"] = policy::kFsReadFile;
  FoldCreatedDirectories(recording);
  const std::map<std::string, uint32_t> expected = {
      {"/etc/passwd", policy::kFsReadFile},
      {"/w", policy::kFsMakeDir | policy::kFsMakeReg | policy::kFsWriteFile},
      {"/w/subway", policy::kFsReadFile},
  };
  EXPECT_EQ(recording.paths, expected);
}

TEST(CreatedDirsTest, WithoutMarksNothingMoves) {
  profile::Profile recording;
  recording.paths["/w/sub"] = policy::kFsMakeReg;
  const auto before = recording.paths;
  FoldCreatedDirectories(recording);
  EXPECT_EQ(recording.paths, before);
}

}  // namespace
}  // namespace sysfence::record
