// SPDX-License-Identifier: Apache-2.0
#include "record/process_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

#include "policy/policy.h"

namespace sysfence::record {

Result<std::string> ResolveProgram(const std::string& program) {
  if (program.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given");
  auto check = [](const std::string& path) -> Result<std::string> {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) {
      return MakeError(ErrorCode::kNotFound, "program '" + path + "' does not exist");
    }
    if (access(path.c_str(), X_OK) != 0) {
      return MakeError(ErrorCode::kPermission, "program '" + path + "' is not executable");
    }
    return path;
  };
  if (program.find('/') != std::string::npos) return check(program);
  const char* env = std::getenv("PATH");
  const std::string search = env ? env : "/usr/local/bin:/usr/bin:/bin";
  bool not_executable = false;
  size_t start = 0;
  while (start <= search.size()) {
    size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(start, end - start);
    if (dir.empty()) dir = ".";
    auto found = check(dir + "/" + program);
    if (found.ok()) return found;
    if (found.error().code == ErrorCode::kPermission) not_executable = true;
    start = end + 1;
  }
  if (not_executable) return MakeError(ErrorCode::kPermission, "program '" + program + "' is not executable");
  return MakeError(ErrorCode::kNotFound, "program '" + program + "' not found in PATH");
}

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

pid_t ThreadGroupOf(pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Tgid:", 0) == 0) return static_cast<pid_t>(std::atoi(line.c_str() + 5));
  }
  return tid;
}

std::string ReadLink(const std::string& link) {
  char buffer[4096];
  const ssize_t n = readlink(link.c_str(), buffer, sizeof(buffer) - 1);
  if (n <= 0) return "";
  return std::string(buffer, static_cast<size_t>(n));
}

Result<std::string> ReadRemoteString(pid_t pid, uint64_t address, size_t max) {
  std::string out;
  constexpr uint64_t kPage = 4096;
  while (out.size() < max) {
    // Never cross a page boundary in one read: the next page may be unmapped.
    const uint64_t chunk = std::min<uint64_t>(kPage - (address % kPage), max - out.size());
    char buffer[4096];
    iovec local{buffer, chunk};
    iovec remote{reinterpret_cast<void*>(address), chunk};
    const ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) {
      if (out.empty()) return MakeError(ErrorCode::kOs, std::string("process_vm_readv: ") + std::strerror(errno));
      break;
    }
    const void* nul = std::memchr(buffer, '\0', static_cast<size_t>(n));
    if (nul != nullptr) {
      out.append(buffer, static_cast<const char*>(nul) - buffer);
      return out;
    }
    out.append(buffer, static_cast<size_t>(n));
    address += static_cast<uint64_t>(n);
  }
  return out;
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
    base = ReadLink("/proc/" + std::to_string(tid) + "/cwd");
  } else {
    base = ReadLink("/proc/" + std::to_string(tid) + "/fd/" + std::to_string(static_cast<int>(dirfd)));
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
    auto text = ReadRemoteString(tid, address);
    return text.ok() ? *text : std::string();
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
    iovec local{&flags, sizeof(flags)};
    iovec remote{reinterpret_cast<void*>(args[2]), sizeof(flags)};
    if (process_vm_readv(tid, &local, 1, &remote, 1, 0) == sizeof(flags)) open_like(at(0, 1), flags);
  } else if (syscall == "creat") {
    open_like(cwd(0), O_CREAT | O_WRONLY | O_TRUNC);
  } else if (syscall == "execve") {
    if (auto path = cwd(0); !path.empty()) builder.OnPath(path, policy::kFsExecute | policy::kFsReadFile);
  } else if (syscall == "execveat") {
    if (auto path = at(0, 1); !path.empty()) builder.OnPath(path, policy::kFsExecute | policy::kFsReadFile);
  } else if (syscall == "mkdir") {
    if (auto path = cwd(0); !path.empty()) builder.OnPath(Parent(path), policy::kFsMakeDir);
  } else if (syscall == "mkdirat") {
    if (auto path = at(0, 1); !path.empty()) builder.OnPath(Parent(path), policy::kFsMakeDir);
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
