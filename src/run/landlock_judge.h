// SPDX-License-Identifier: Apache-2.0
// Monitor mode's Landlock, in user space: what a policy's fs and net rules, planned for the running
// kernel (os::PlanLandlock), would allow beneath a path or on a port, judged the way Landlock does
// it: a path is granted the union of the rights of every rule whose path is the object itself or
// one of its ancestors, compared by device and inode (so a bind mount or a symlinked rule path
// counts as the directory it is), and only the rights the plan handles are ever missing.
//
// It only observes: monitor mode lets every call run. Nothing here decides anything (docs/run.md,
// "Landlock in monitor mode").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "os/landlock.h"

namespace sysfence::run {

/// One access the rules would not allow: the rights missing on a path or a port.
struct LandlockMiss {
  uint64_t fs_missing = 0;   ///< landlock_uapi kFs* bits
  uint64_t net_missing = 0;  ///< landlock_uapi kNet* bits
  std::string path;          ///< fs: the object (creations and removals: its directory), absolute
  int port = -1;             ///< net: the TCP port
  friend bool operator==(const LandlockMiss&, const LandlockMiss&) = default;
};

/// The kernel's names of the missing rights, as Landlock's audit records write them:
/// "fs.read_file", "fs.make_reg", "net.bind_tcp".
std::vector<std::string> LandlockBlockers(const LandlockMiss& miss);

/// The policy line that would allow it: "fs read-file /etc/shadow", "fs write-file make-reg /srv",
/// "net bind tcp 8080" (the access words of policy/fs_access.h, coarse ones when they fit,
/// separated by spaces as the policy language writes them).
std::string LandlockSuggestion(const LandlockMiss& miss);

/// The miss a Landlock audit record describes: its blockers ("fs.read_file", "net.bind_tcp") as
/// rights on `path` or `port`; blockers of other kinds (scopes) are not rights and are left out.
LandlockMiss LandlockMissFromBlockers(const std::vector<std::string>& blockers, std::string path, int port);

/// What a plan's rules allow, against the live file system.
class LandlockJudge {
 public:
  /// Stats every path rule of `plan` (a path that is gone fails, naming its rule).
  static Result<LandlockJudge> FromPlan(const os::LandlockPlan& plan);

  /// File-system rights the plan handles (0: fs rules are not judged).
  [[nodiscard]] uint64_t handled_fs() const { return handled_fs_; }
  /// Network rights the plan handles.
  [[nodiscard]] uint64_t handled_net() const { return handled_net_; }

  /// The rights granted beneath `canonical_path` (absolute, no symlinks in its directories): the
  /// union over the rules on it and on each of its ancestors.
  /// Directories are looked up in a cache (checked with one lstat that the directory is still the
  /// same inode), so a call costs one lstat per level only the first time.
  [[nodiscard]] uint64_t AllowedFs(const std::string& canonical_path) const;

  /// The handled rights of `wanted` that are not granted beneath `canonical_path`.
  [[nodiscard]] uint64_t MissingFs(const std::string& canonical_path, uint64_t wanted) const {
    return wanted & handled_fs_ & ~AllowedFs(canonical_path);
  }

  /// The handled TCP rights of `wanted` (kNetBindTcp, kNetConnectTcp) not granted on `port`.
  [[nodiscard]] uint64_t MissingNet(uint16_t port, uint64_t wanted) const;

 private:
  uint64_t handled_fs_ = 0;
  uint64_t handled_net_ = 0;
  std::map<std::pair<dev_t, ino_t>, uint64_t> fs_rights_;  ///< rule object (device, inode) -> rights
  std::map<uint16_t, uint64_t> port_rights_;
  // A directory's (device, inode) and the rights granted beneath it, by canonical path.
  struct CachedDirectory {
    dev_t dev = 0;
    ino_t ino = 0;
    uint64_t allowed = 0;
  };
  static constexpr size_t kMaxCachedDirectories = 4096;
  mutable std::unordered_map<std::string, CachedDirectory> directories_;
  /// The rights granted beneath directory `path` (itself and its ancestors).
  uint64_t AllowedBeneathDirectory(const std::string& path) const;
};

}  // namespace sysfence::run
