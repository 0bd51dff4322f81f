// SPDX-License-Identifier: Apache-2.0
// Real containers for the tests: an OCI bundle built from busybox-static (made by `runc spec`,
// then edited), run by runc with its own state folder, and a `sysfence watch` collecting the
// kernel's seccomp records meanwhile.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sysfence::containertest {

/// What a command printed and how it ended.
struct Ran {
  int status = -1;  ///< exit status (128 + signal when killed)
  std::string out;
  std::string err;
};

/// Runs `argv` (no shell) with `input` on standard input.
Ran RunProgram(const std::vector<std::string>& argv, const std::string& input = "");

/// Why the container tests cannot run here ("[feature: runc] ..."), or "" when they can.
std::string ContainerSkipReason();

/// Why `runtime` (crun, podman) cannot be tested here ("[feature: NAME] ..."), or "".
std::string RuntimeSkipReason(const std::string& runtime);

/// An OCI bundle under `dir`: rootfs with busybox as /opt/<tag>/busybox (so the kernel's records
/// name an executable no other test uses) and applets in /bin, and config.json from `runc spec`.
class Bundle {
 public:
  Bundle(const std::string& dir, const std::vector<std::string>& args);
  /// The bundle folder.
  const std::string& dir() const { return dir_; }
  /// The busybox executable's path as the kernel reports it ("/opt/sf-1234-1/busybox").
  const std::string& exe() const { return exe_; }
  /// config.json as JSON; Save() writes it back.
  nlohmann::json& config() { return config_; }
  void Save() const;
  /// Sets the annotation and the prestart hook `sysfence oci-hook --log LOG extra...`.
  void AddRecordHook(const std::string& profile_path, const std::string& log_path,
                     const std::vector<std::string>& extra = {});
  /// Runs the container with `runc run` (state under dir/state); `id` must be unique.
  Ran Run(const std::string& id) const;
  /// Runs it with `crun run` instead (state under dir/crun-state). crun 1.8 refuses a hybrid
  /// cgroup layout whose v2 hierarchy holds a controller ("cgroups in hybrid mode not
  /// supported"); where the v2 hierarchy holds hugetlb, as here, crun runs in a private mount
  /// namespace where a v1 hugetlb hierarchy is mounted, which takes the controller off v2.
  Ran RunCrun(const std::string& id) const;

 private:
  std::string dir_;
  std::string exe_;
  nlohmann::json config_;
};

/// Waits up to `seconds` for `path` to exist; whether it does.
bool WaitForFile(const std::string& path, double seconds);

/// A `sysfence watch` writing JSON lines to a file while it lives.
class Watcher {
 public:
  explicit Watcher(const std::string& dir);
  ~Watcher();
  /// Stops the watcher (after a short pause for late records) and returns its syscall events.
  std::vector<nlohmann::json> Stop();

 private:
  std::string output_;
  pid_t pid_ = 0;
};

}  // namespace sysfence::containertest
