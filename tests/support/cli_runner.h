// SPDX-License-Identifier: Apache-2.0
// Running the built `sysfence` binary from tests, and scratch directories for their files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sysfence::testsupport {

/// What one run of the CLI produced.
struct CliResult {
  int exit_status = -1;  ///< the exit status, or 128 + signal when killed
  std::string out;       ///< standard output
  std::string err;       ///< standard error
};

/// Path of the built CLI (tests/support/test_paths.h says where it is looked for).
std::string SysfenceBinary();

/// Runs the binary with `args` (no shell), feeding `input` on standard input.
CliResult RunSysfence(const std::vector<std::string>& args, std::string_view input = {});

/// A fresh directory under $TMPDIR (or /tmp), removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory.
  const std::string& path() const { return path_; }
  /// Writes `contents` to `name` inside the directory and returns the file's path.
  std::string Write(const std::string& name, std::string_view contents) const;

 private:
  std::string path_;
};

}  // namespace sysfence::testsupport
