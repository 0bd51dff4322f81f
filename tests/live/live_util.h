// SPDX-License-Identifier: Apache-2.0
// Helpers for the live `run` tests: temp dirs, running the CLI, reading events.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sysfence::live {

/// Why live tests cannot run here, or "" when they can (seccomp filters with user notification).
std::string LiveSkipReason();

/// A fresh temporary directory, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  /// Path of `name` inside the directory.
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  /// Writes `text` to `name` and returns its path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string dir_;
};

/// What a finished command left behind.
struct Finished {
  int status = -1;  ///< exit status (128+signal when killed)
  std::string out;
  std::string err;
};

/// The sysfence CLI of the build tree (tests/support/test_paths.h).
std::string SysfenceBinary();
/// The sf_probe helper.
std::string ProbeBinary();

/// Runs `argv` with stdin from /dev/null, capturing stdout and stderr; kills it after `timeout_s`.
Finished RunCommand(const std::vector<std::string>& argv, int timeout_s = 60);

/// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);

/// Parses each line of a JSON Lines file.
std::vector<nlohmann::json> ReadEvents(const std::string& path);

/// Events of type "syscall" naming `syscall`.
std::vector<nlohmann::json> EventsFor(const std::vector<nlohmann::json>& events, const std::string& syscall);

}  // namespace sysfence::live
