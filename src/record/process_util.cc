// SPDX-License-Identifier: Apache-2.0
#include "record/process_util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "os/proc.h"
#include "policy/policy.h"
#include "record/created_dirs.h"

namespace sysfence::record {

uint64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::string KernelRelease() {
  utsname name{};
  if (uname(&name) != 0) return "";
  return name.release;
}

int PinToCurrentCpu() {
  const int cpu = sched_getcpu();
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
  return cpu;
}

void StopForwarder::SignalAll(const std::vector<os::ProcessRef>& processes, int signal) {
  for (const os::ProcessRef& process : processes) os::SignalIfSame(process, signal);
}

std::vector<os::ProcessRef> RefsOf(const std::vector<pid_t>& pids) {
  std::vector<os::ProcessRef> refs;
  for (pid_t pid : pids) refs.push_back(os::RefOf(pid));
  return refs;
}

namespace {

// The orphans of `tree` with the refs they were found under.
std::vector<std::pair<Orphan, os::ProcessRef>> FindOrphans(const std::vector<os::ProcessRef>& tree, pid_t root) {
  std::vector<std::pair<Orphan, os::ProcessRef>> found;
  for (const os::ProcessRef& process : tree) {
    if (process.pid == root || !os::IsRunning(process.pid)) continue;
    if (process.start_time != 0 && os::RefOf(process.pid).start_time != process.start_time) continue;  // reused
    found.push_back({{process.pid, os::CommandOf(process.pid)}, process});
  }
  return found;
}

}  // namespace

std::vector<Orphan> ListOrphans(const std::vector<os::ProcessRef>& tree, pid_t root) {
  std::vector<Orphan> orphans;
  for (auto& [orphan, ref] : FindOrphans(tree, root)) orphans.push_back(orphan);
  return orphans;
}

std::vector<Orphan> EndOrphans(const std::vector<os::ProcessRef>& tree, pid_t root) {
  std::vector<Orphan> orphans;
  for (auto& [orphan, ref] : FindOrphans(tree, root)) {
    os::SignalIfSame(ref, SIGKILL);
    orphans.push_back(orphan);
  }
  return orphans;
}

namespace {

// Lexically normalises an absolute path ("/a/./b/../c" -> "/a/c").
std::string Normalize(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string Resolve(pid_t tid, int64_t dirfd, const std::string& path, bool has_dirfd) {
  if (path.empty()) return "";
  if (path[0] == '/') return Normalize(path);
  std::string base;
  if (!has_dirfd || static_cast<int>(dirfd) == AT_FDCWD) {
    base = os::WorkingDirectoryOf(tid);
  } else {
    base = os::ReadFdTarget(tid, static_cast<int>(dirfd)).value_or("");
  }
  if (base.empty() || base[0] != '/') return "";
  return Normalize(base + "/" + path);
}

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

uint32_t OpenAccess(uint64_t flags) {
  uint32_t access = 0;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: access = (flags & O_DIRECTORY) ? policy::kFsReadDir : policy::kFsReadFile; break;
    case O_WRONLY: access = policy::kFsWriteFile; break;
    default: access = policy::kFsReadFile | policy::kFsWriteFile; break;
  }
  if (flags & O_TRUNC) access |= policy::kFsTruncate;
  return access;
}

}  // namespace

void CapturePathAccess(profile::ProfileBuilder& builder, pid_t tid, std::string_view syscall, const uint64_t args[6]) {
  auto read = [&](uint64_t address) -> std::string {
    return os::ReadTargetString(tid, address).value_or("");
  };
  auto at = [&](int dirfd_arg, int path_arg) { return Resolve(tid, static_cast<int64_t>(args[dirfd_arg]), read(args[path_arg]), true); };
  auto cwd = [&](int path_arg) { return Resolve(tid, AT_FDCWD, read(args[path_arg]), false); };
  auto open_like = [&](const std::string& path, uint64_t flags) {
    if (path.empty()) return;
    if (flags & O_PATH) return;  // O_PATH opens need no access right
    // A file this call creates need not exist on the next run, and Landlock cannot name a missing
    // path: its folder gets the rights instead. (The call has not run yet: the file is missing now.)
    struct stat st {};
    if ((flags & O_CREAT) && lstat(path.c_str(), &st) != 0) {
      builder.OnPath(Parent(path), OpenAccess(flags) | policy::kFsMakeReg);
    } else {
      builder.OnPath(path, OpenAccess(flags));
    }
  };
  if (syscall == "open") {
    open_like(cwd(0), args[1]);
  } else if (syscall == "openat") {
    open_like(at(0, 1), args[2]);
  } else if (syscall == "openat2") {
    uint64_t flags = 0;
    if (os::ReadTargetBytes(tid, args[2], &flags, sizeof(flags))) open_like(at(0, 1), flags);
  } else if (syscall == "creat") {
    open_like(cwd(0), O_CREAT | O_WRONLY | O_TRUNC);
  } else if (syscall == "execve") {
    if (auto path = cwd(0); !path.empty()) builder.OnPath(path, policy::kFsExecute | policy::kFsReadFile);
  } else if (syscall == "execveat") {
    if (auto path = at(0, 1); !path.empty()) builder.OnPath(path, policy::kFsExecute | policy::kFsReadFile);
  } else if (syscall == "mkdir" || syscall == "mkdirat") {
    const std::string path = syscall == "mkdir" ? cwd(0) : at(0, 1);
    if (!path.empty()) {
      builder.OnPath(Parent(path), policy::kFsMakeDir);
      // A folder this call creates is missing on a fresh run: FoldCreatedDirectories moves what
      // happens inside it to its parent. (The call has not run yet: a new folder is missing now.)
      struct stat st {};
      if (lstat(path.c_str(), &st) != 0) builder.OnPath(path, kFsCreatedDirMarker);
    }
  } else if (syscall == "unlink") {
    if (auto path = cwd(0); !path.empty()) builder.OnPath(Parent(path), policy::kFsRemoveFile);
  } else if (syscall == "rmdir") {
    if (auto path = cwd(0); !path.empty()) builder.OnPath(Parent(path), policy::kFsRemoveDir);
  } else if (syscall == "unlinkat") {
    constexpr uint64_t kAtRemoveDir = 0x200;
    if (auto path = at(0, 1); !path.empty()) {
      builder.OnPath(Parent(path), (args[2] & kAtRemoveDir) ? policy::kFsRemoveDir : policy::kFsRemoveFile);
    }
  } else if (syscall == "rename" || syscall == "renameat" || syscall == "renameat2") {
    const bool is_at = syscall != "rename";
    const std::string from = is_at ? at(0, 1) : cwd(0);
    const std::string to = is_at ? at(2, 3) : cwd(1);
    if (!from.empty()) builder.OnPath(Parent(from), policy::kFsRemoveFile | policy::kFsRefer);
    if (!to.empty()) builder.OnPath(Parent(to), policy::kFsMakeReg | policy::kFsRemoveFile | policy::kFsRefer);
  } else if (syscall == "symlink") {
    if (auto path = cwd(1); !path.empty()) builder.OnPath(Parent(path), policy::kFsMakeSym);
  } else if (syscall == "symlinkat") {
    if (auto path = at(1, 2); !path.empty()) builder.OnPath(Parent(path), policy::kFsMakeSym);
  } else if (syscall == "truncate") {
    if (auto path = cwd(0); !path.empty()) builder.OnPath(path, policy::kFsTruncate | policy::kFsWriteFile);
  }
}

void DropMissingPaths(profile::Profile& profile) {
  for (auto it = profile.paths.begin(); it != profile.paths.end();) {
    struct stat st {};
    if (stat(it->first.c_str(), &st) != 0) {
      it = profile.paths.erase(it);
    } else {
      if (S_ISDIR(st.st_mode) && (it->second & policy::kFsReadFile)) {
        it->second = (it->second & ~policy::kFsReadFile) | policy::kFsReadDir;
      }
      ++it;
    }
  }
}

void GrantCreationsToFolders(profile::Profile& profile) {
  constexpr uint32_t kFileRights = policy::kFsExecute | policy::kFsWriteFile | policy::kFsReadFile |
                                   policy::kFsTruncate | policy::kFsIoctlDev;
  for (auto it = profile.paths.begin(); it != profile.paths.end();) {
    auto folder = profile.paths.find(Parent(it->first));
    struct stat st {};
    const bool file = stat(it->first.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    if (folder == profile.paths.end() || folder == it || !file || (folder->second & policy::kFsMakeReg) == 0) {
      ++it;
      continue;
    }
    folder->second |= it->second & kFileRights;
    it = profile.paths.erase(it);
  }
}

}  // namespace sysfence::record
