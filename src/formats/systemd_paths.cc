// SPDX-License-Identifier: Apache-2.0
#include "formats/systemd_paths.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "formats/systemd_facts.h"
#include "policy/fs_access.h"

namespace sysfence::formats::systemd {
namespace {

// Top-level folders of a Linux system (FHS) hidden when no granted path is in or above them.
// /dev, /proc, /run and /sys are left alone: the service manager and the C library need them. /bin,
// /lib, /lib64 and /sbin are left alone too: on a merged-/usr system they are links into /usr, and
// systemd would hide their targets (Landlock judges the target, which a grant on /usr covers).
constexpr std::array<std::string_view, 11> kTopLevelFolders = {"/boot", "/etc", "/home", "/media", "/mnt", "/opt",
                                                               "/root", "/srv", "/tmp",  "/usr",  "/var"};

constexpr uint32_t kReadRights = policy::kFsReadFile | policy::kFsReadDir;
constexpr uint32_t kWriteRights = policy::kFsAllAccess & ~(kReadRights | policy::kFsExecute);
constexpr uint32_t kExecRights = policy::kFsExecute | policy::kFsReadFile;

struct Grant {
  uint32_t access = 0;
  SourceSpan span;
};

std::string Normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// True when `path` is `folder` or lies beneath it.
bool IsBeneath(std::string_view path, std::string_view folder) {
  if (folder == "/") return true;
  return path == folder || (path.size() > folder.size() && path.substr(0, folder.size()) == folder &&
                            path[folder.size()] == '/');
}

std::string Words(uint32_t access) {
  std::string text;
  for (std::string_view word : policy::FsAccessToWords(access)) text += (text.empty() ? "" : " ") + std::string(word);
  return text;
}

// The rights Landlock gives beneath `path`: its own and those of every granted folder above it.
uint32_t Effective(const std::map<std::string, Grant>& grants, const std::string& path) {
  uint32_t access = 0;
  for (const auto& [granted, grant] : grants) {
    if (IsBeneath(path, granted)) access |= grant.access;
  }
  return access;
}

// The paths whose effective rights meet `mask`, without those beneath another such path.
std::vector<std::string> Outermost(const std::map<std::string, Grant>& grants, uint32_t mask) {
  std::vector<std::string> paths;
  for (const auto& [path, grant] : grants) {
    if ((Effective(grants, path) & mask) == 0) continue;
    bool covered = false;
    for (const std::string& outer : paths) covered = covered || IsBeneath(path, outer);
    if (!covered) paths.push_back(path);  // the map is sorted, so folders come before what is beneath
  }
  return paths;
}

std::vector<std::string> Quoted(const std::vector<std::string>& paths, std::string_view prefix = {}) {
  std::vector<std::string> out;
  for (const std::string& path : paths) out.push_back(std::string(prefix) + QuotePath(path));
  return out;
}

void WarnWidenings(const std::map<std::string, Grant>& grants, DropInText& out) {
  for (const auto& [path, grant] : grants) {
    const uint32_t access = Effective(grants, path);
    uint32_t given = kReadRights;  // every path is at least readable under systemd
    if ((access & kWriteRights) != 0) given |= kWriteRights;
    if ((access & kExecRights) != 0) given |= policy::kFsExecute;
    const uint32_t widened = given & ~access;
    if (widened != 0) {
      out.Warn(grant.span, "fs " + path + ": systemd also allows " + Words(widened) + " beneath it (granted: " +
                               Words(access) + ")");
    }
  }
}

}  // namespace

void WritePaths(const policy::Policy& policy, DropInText& out) {
  if (policy.fs_rules.empty()) return;
  std::map<std::string, Grant> grants;
  for (const policy::FsRule& rule : policy.fs_rules) {
    for (const std::string& written : rule.paths) {
      if (written.empty() || written.front() != '/') {
        out.Warn(rule.span, "fs path '" + written + "' is not absolute; systemd needs absolute paths, left out");
        continue;
      }
      if (std::any_of(written.begin(), written.end(), [](char c) { return c >= 0 && c < 0x20; })) {
        out.Warn(rule.span, "an fs path with a control character cannot be written in a unit file; left out");
        continue;
      }
      Grant& grant = grants[Normalize(written)];
      grant.access |= rule.access;
      if (grant.span.line == 0) grant.span = rule.span;
    }
  }
  out.Blank();
  out.Comment("Landlock fs rules: the tree read-only, written paths read-write, unused top-level folders hidden.");
  const std::vector<std::string> writable = Outermost(grants, kWriteRights);
  const bool root_writable = !writable.empty() && writable.front() == "/";
  if (!root_writable) out.Set("ReadOnlyPaths", "/");
  out.List("ReadWritePaths", "", Quoted(writable));
  const std::vector<std::string> executable = Outermost(grants, kExecRights);
  if (executable.empty() || executable.front() != "/") {
    out.Set("NoExecPaths", "/");
    out.List("ExecPaths", "", Quoted(executable));
  }
  std::vector<std::string> hidden;
  for (std::string_view folder : kTopLevelFolders) {
    bool used = false;
    for (const auto& [path, grant] : grants) used = used || IsBeneath(path, folder) || IsBeneath(folder, path);
    if (!used) hidden.emplace_back(folder);
  }
  out.List("InaccessiblePaths", "", Quoted(hidden, "-"));
  out.Warn({}, "systemd cannot deny reading outside the fs paths as Landlock does: only unused top-level folders "
               "are hidden, /dev /proc /run /sys and the rest of the tree stay readable");
  WarnWidenings(grants, out);
}

void WriteNetwork(const policy::Policy& policy, DropInText& out) {
  if (policy.net_rules.empty()) return;
  out.Blank();
  out.Comment("Landlock net rules: TCP bind only to the granted ports (cgroup bind hooks).");
  for (const policy::NetRule& rule : policy.net_rules) {
    if (rule.kind == policy::NetRule::Kind::kBind) {
      if (rule.port == 0) {
        out.Warn(rule.span, "net bind tcp 0: systemd cannot grant the ephemeral port 0; left out");
        continue;
      }
      out.Set("SocketBindAllow", "tcp:" + std::to_string(rule.port));
    }
  }
  out.Set("SocketBindDeny", "tcp:1-65535");
  for (const policy::NetRule& rule : policy.net_rules) {
    if (rule.kind == policy::NetRule::Kind::kConnect) {
      out.Warn(rule.span, "net connect tcp " + std::to_string(rule.port) +
                              ": systemd cannot limit outgoing TCP connections by port; connections to any port "
                              "stay allowed (IPAddressDeny= filters by address)");
    }
  }
}

}  // namespace sysfence::formats::systemd
