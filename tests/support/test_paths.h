// SPDX-License-Identifier: Apache-2.0
// Where a test finds the source tree (fixtures, golden files) and the build tree (the CLI, helper
// programs). CMake compiles both paths into every test binary, so a test run by hand finds them
// as well as one run by ctest; SYSFENCE_SOURCE_DIR / SYSFENCE_BINARY_DIR override them.
#pragma once

#include <cstdlib>
#include <string>

namespace sysfence::test_paths {

/// The source tree: $SYSFENCE_SOURCE_DIR, else the one this test was built from.
inline std::string SourceDir() {
  const char* dir = std::getenv("SYSFENCE_SOURCE_DIR");
  return dir != nullptr ? dir : SYSFENCE_TEST_SOURCE_DIR;
}

/// The build tree: $SYSFENCE_BINARY_DIR, else the one this test was built in.
inline std::string BinaryDir() {
  const char* dir = std::getenv("SYSFENCE_BINARY_DIR");
  return dir != nullptr ? dir : SYSFENCE_TEST_BINARY_DIR;
}

/// The sysfence CLI of the build tree.
inline std::string SysfenceCli() { return BinaryDir() + "/tools/sysfence/sysfence"; }

}  // namespace sysfence::test_paths
