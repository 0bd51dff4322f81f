// SPDX-License-Identifier: Apache-2.0
#include "run/landlock_call_access.h"

#include <elf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "os/landlock_uapi.h"
#include "os/proc.h"
#include "os/target_socket.h"
#include "os/unique_fd.h"

namespace sysfence::run {
namespace {

namespace uapi = os::landlock_uapi;

constexpr int64_t kAtFdCwd = AT_FDCWD;
constexpr uint64_t kExchange = 1u << 1;  // RENAME_EXCHANGE

// A file system object as the calling thread names it, resolved from sysfence's side.
struct Object {
  bool exists = false;
  mode_t mode = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;  ///< canonical absolute path (when it exists)
};

// The thread's view of the file system.
class Resolver {
 public:
  Resolver(int tid, const uint64_t (&args)[6]) : tid_(tid), args_(args) {}

  std::optional<std::string> PathArg(int index) const {
    return os::ReadTargetString(tid_, args_[index], 4096);
  }
  int64_t Dirfd(int index) const { return static_cast<int32_t>(args_[index]); }

  // The name sysfence opens for (dirfd, path): absolute paths as they are (the program shares
  // sysfence's root and mounts), relative ones beneath the thread's cwd or directory descriptor.
  std::string Lookup(int64_t dirfd, const std::string& path) const {
    if (!path.empty() && path[0] == '/') return path;
    const std::string base = dirfd == kAtFdCwd ? fmt::format("/proc/{}/cwd", tid_)
                                               : fmt::format("/proc/{}/fd/{}", tid_, dirfd);
    return path.empty() ? base : base + "/" + path;
  }

  Object Resolve(int64_t dirfd, const std::string& path, bool follow) const {
    Object object;
    const os::UniqueFd fd(open(Lookup(dirfd, path).c_str(), O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
    struct stat st {};
    if (fd.get() < 0 || fstat(fd.get(), &st) != 0) return object;
    object.exists = true;
    object.mode = st.st_mode;
    object.dev = st.st_dev;
    object.ino = st.st_ino;
    object.path = os::ReadLink(fmt::format("/proc/self/fd/{}", fd.get())).value_or("");
    return object;
  }

  // The directory that holds the last component of `path`, and that entry (not followed).
  std::pair<Object, Object> ResolveEntry(int64_t dirfd, std::string path) const {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    const size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    Object parent = Resolve(dirfd, dir, true);
    Object entry = Resolve(dirfd, path, false);
    return {std::move(parent), std::move(entry)};
  }

 private:
  int tid_;
  const uint64_t (&args_)[6];
};

uint64_t MakeRightFor(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return uapi::kFsMakeDir;
    case S_IFCHR: return uapi::kFsMakeChar;
    case S_IFBLK: return uapi::kFsMakeBlock;
    case S_IFIFO: return uapi::kFsMakeFifo;
    case S_IFSOCK: return uapi::kFsMakeSock;
    case S_IFLNK: return uapi::kFsMakeSym;
    default: return uapi::kFsMakeReg;
  }
}

uint64_t RemoveRightFor(mode_t mode) { return S_ISDIR(mode) ? uapi::kFsRemoveDir : uapi::kFsRemoveFile; }

// The program the kernel also opens for execution when it executes `path`: a script's "#!"
// interpreter, or an ELF program's PT_INTERP (its dynamic loader); "" when none.
std::string InterpreterOf(const std::string& path) {
  const os::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return "";
  char head[256] = {};
  const ssize_t got = pread(fd.get(), head, sizeof(head) - 1, 0);
  if (got >= 2 && head[0] == '#' && head[1] == '!') {
    std::string_view line(head + 2, static_cast<size_t>(got) - 2);
    line = line.substr(0, line.find('\n'));
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    return std::string(line.substr(0, line.find_first_of(" \t")));
  }
  Elf64_Ehdr ehdr{};
  if (got < static_cast<ssize_t>(sizeof(ehdr))) return "";
  std::memcpy(&ehdr, head, sizeof(ehdr));
  if (std::memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0 || ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
      ehdr.e_phentsize != sizeof(Elf64_Phdr) || ehdr.e_phnum > 64) {
    return "";
  }
  for (int i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr{};
    if (pread(fd.get(), &phdr, sizeof(phdr), static_cast<off_t>(ehdr.e_phoff + i * sizeof(phdr))) !=
        static_cast<ssize_t>(sizeof(phdr))) {
      return "";
    }
    if (phdr.p_type != PT_INTERP || phdr.p_filesz < 2 || phdr.p_filesz > 4096) continue;
    std::string interpreter(phdr.p_filesz, '\0');
    if (pread(fd.get(), interpreter.data(), interpreter.size(), static_cast<off_t>(phdr.p_offset)) !=
        static_cast<ssize_t>(interpreter.size())) {
      return "";
    }
    interpreter.resize(interpreter.find('\0') == std::string::npos ? interpreter.size() : interpreter.find('\0'));
    return interpreter;
  }
  return "";
}

class CallJudge {
 public:
  CallJudge(const LandlockJudge& judge, int tid, const uint64_t (&args)[6]) : judge_(judge), at_(tid, args) {}

  void Want(const Object& object, uint64_t rights) {
    if (!object.exists || rights == 0) return;
    const uint64_t missing = judge_.MissingFs(object.path, rights);
    if (missing == 0) return;
    for (LandlockMiss& miss : misses_) {
      if (miss.path == object.path && miss.net_missing == 0) {
        miss.fs_missing |= missing;
        return;
      }
    }
    misses_.push_back({missing, 0, object.path, -1});
  }

  void Open(int64_t dirfd, int path_arg, uint64_t flags) {
    if (flags & O_PATH) return;
    const std::optional<std::string> path = at_.PathArg(path_arg);
    if (!path) return;
    const uint64_t mode = flags & O_ACCMODE;
    const uint64_t file_rights = (mode != O_WRONLY ? uapi::kFsReadFile : 0) |
                                 (mode == O_WRONLY || mode == O_RDWR ? uapi::kFsWriteFile : 0);
    const Object object = at_.Resolve(dirfd, *path, (flags & O_NOFOLLOW) == 0);
    if (object.exists) {
      if ((flags & O_CREAT) && (flags & O_EXCL)) return;  // EEXIST
      if (S_ISDIR(object.mode)) {
        Want(object, mode == O_RDONLY ? uapi::kFsReadDir : 0);
        return;
      }
      Want(object, file_rights | ((flags & O_TRUNC) && S_ISREG(object.mode) ? uapi::kFsTruncate : 0));
      return;
    }
    if ((flags & O_CREAT) == 0) return;  // ENOENT
    Want(at_.ResolveEntry(dirfd, *path).first, uapi::kFsMakeReg | file_rights);
  }

  void Make(int64_t dirfd, int path_arg, uint64_t right) {
    const std::optional<std::string> path = at_.PathArg(path_arg);
    if (!path) return;
    auto [parent, entry] = at_.ResolveEntry(dirfd, *path);
    if (!entry.exists) Want(parent, right);
  }

  void Remove(int64_t dirfd, int path_arg, bool directory) {
    const std::optional<std::string> path = at_.PathArg(path_arg);
    if (!path) return;
    auto [parent, entry] = at_.ResolveEntry(dirfd, *path);
    if (entry.exists && S_ISDIR(entry.mode) == directory) Want(parent, RemoveRightFor(entry.mode));
  }

  void Rename(int64_t old_dirfd, int old_arg, int64_t new_dirfd, int new_arg, uint64_t flags) {
    const std::optional<std::string> from = at_.PathArg(old_arg);
    const std::optional<std::string> to = at_.PathArg(new_arg);
    if (!from || !to) return;
    auto [from_dir, source] = at_.ResolveEntry(old_dirfd, *from);
    auto [to_dir, target] = at_.ResolveEntry(new_dirfd, *to);
    if (!source.exists) return;
    uint64_t from_rights = RemoveRightFor(source.mode);
    uint64_t to_rights = MakeRightFor(source.mode);
    if (target.exists) {
      to_rights |= RemoveRightFor(target.mode);
      if (flags & kExchange) from_rights |= MakeRightFor(target.mode);
    }
    if (from_dir.dev != to_dir.dev || from_dir.ino != to_dir.ino) {
      from_rights |= uapi::kFsRefer;
      to_rights |= uapi::kFsRefer;
    }
    Want(from_dir, from_rights);
    Want(to_dir, to_rights);
  }

  void Link(int64_t old_dirfd, int old_arg, int64_t new_dirfd, int new_arg, bool follow) {
    const std::optional<std::string> from = at_.PathArg(old_arg);
    const std::optional<std::string> to = at_.PathArg(new_arg);
    if (!from || !to) return;
    const Object source = at_.Resolve(old_dirfd, *from, follow);
    auto [to_dir, target] = at_.ResolveEntry(new_dirfd, *to);
    if (!source.exists || target.exists) return;
    uint64_t to_rights = MakeRightFor(source.mode);
    const Object from_dir = at_.ResolveEntry(old_dirfd, *from).first;
    if (from_dir.dev != to_dir.dev || from_dir.ino != to_dir.ino) {
      to_rights |= uapi::kFsRefer;
      Want(from_dir, uapi::kFsRefer);
    }
    Want(to_dir, to_rights);
  }

  void Existing(int64_t dirfd, int path_arg, bool follow, uint64_t rights, bool regular_only) {
    const std::optional<std::string> path = at_.PathArg(path_arg);
    if (!path) return;
    const struct Object object = at_.Resolve(dirfd, *path, follow);
    if (regular_only && !S_ISREG(object.mode)) return;
    Want(object, rights);
  }

  // execve: the program, then what the kernel opens for it (a script's interpreter and that
  // program's loader: two levels, as the kernel's own nesting of binfmt handlers allows more but
  // programs do not use).
  void Exec(int64_t dirfd, int path_arg, bool follow) {
    const std::optional<std::string> path = at_.PathArg(path_arg);
    if (!path) return;
    constexpr uint64_t kExecRights = uapi::kFsExecute | uapi::kFsReadFile;
    struct Object object = at_.Resolve(dirfd, *path, follow);
    for (int level = 0; level < 3 && object.exists && S_ISREG(object.mode); ++level) {
      Want(object, kExecRights);
      const std::string interpreter = InterpreterOf(object.path);
      if (interpreter.empty() || interpreter[0] != '/') break;
      object = at_.Resolve(kAtFdCwd, interpreter, true);
    }
  }

  const Resolver& at() const { return at_; }
  std::vector<LandlockMiss> Take() { return std::move(misses_); }

 private:
  const LandlockJudge& judge_;
  Resolver at_;
  std::vector<LandlockMiss> misses_;
};

uint64_t MknodRight(uint64_t mode) {
  const mode_t type = static_cast<mode_t>(mode) & S_IFMT;
  return type == 0 ? uapi::kFsMakeReg : MakeRightFor(type);
}

// bind/connect on a TCP socket: the port the address names.
std::vector<LandlockMiss> NetMisses(const LandlockJudge& judge, bool bind, const uint64_t (&args)[6], int tid,
                                    int tgid) {
  if (judge.handled_net() == 0) return {};
  uint16_t head[2] = {0, 0};  // sa_family, then the port (sockaddr_in and sockaddr_in6 alike)
  if (args[2] < sizeof(head) || !os::ReadTargetBytes(tid, args[1], head, sizeof(head))) return {};
  if (head[0] != AF_INET && head[0] != AF_INET6) return {};
  const std::optional<os::SocketKind> kind = os::SocketKindOf(tgid, static_cast<int>(args[0]));
  if (!kind || (kind->domain != AF_INET && kind->domain != AF_INET6) || kind->type != SOCK_STREAM ||
      kind->protocol != IPPROTO_TCP) {
    return {};
  }
  const uint16_t port = ntohs(head[1]);
  const uint64_t missing = judge.MissingNet(port, bind ? uapi::kNetBindTcp : uapi::kNetConnectTcp);
  if (missing == 0) return {};
  return {LandlockMiss{0, missing, "", port}};
}

}  // namespace

std::vector<LandlockMiss> LandlockMissesOfCall(const LandlockJudge& judge, std::string_view name,
                                               const uint64_t (&args)[6], int tid, int tgid) {
  if (tid <= 0) return {};
  if (name == "bind" || name == "connect") return NetMisses(judge, name == "bind", args, tid, tgid);
  if (judge.handled_fs() == 0) return {};
  CallJudge call(judge, tid, args);
  const int64_t cwd = kAtFdCwd;
  const auto dirfd = [&](int index) { return call.at().Dirfd(index); };
  if (name == "open") {
    call.Open(cwd, 0, args[1]);
  } else if (name == "openat") {
    call.Open(dirfd(0), 1, args[2]);
  } else if (name == "openat2") {
    uint64_t flags = 0;  // struct open_how starts with the flags
    if (args[3] >= sizeof(flags) && os::ReadTargetBytes(tid, args[2], &flags, sizeof(flags))) {
      call.Open(dirfd(0), 1, flags);
    }
  } else if (name == "creat") {
    call.Open(cwd, 0, O_CREAT | O_WRONLY | O_TRUNC);
  } else if (name == "mkdir" || name == "mkdirat") {
    call.Make(name == "mkdir" ? cwd : dirfd(0), name == "mkdir" ? 0 : 1, uapi::kFsMakeDir);
  } else if (name == "mknod") {
    call.Make(cwd, 0, MknodRight(args[1]));
  } else if (name == "mknodat") {
    call.Make(dirfd(0), 1, MknodRight(args[2]));
  } else if (name == "symlink") {
    call.Make(cwd, 1, uapi::kFsMakeSym);
  } else if (name == "symlinkat") {
    call.Make(dirfd(1), 2, uapi::kFsMakeSym);
  } else if (name == "unlink") {
    call.Remove(cwd, 0, false);
  } else if (name == "rmdir") {
    call.Remove(cwd, 0, true);
  } else if (name == "unlinkat") {
    call.Remove(dirfd(0), 1, (args[2] & AT_REMOVEDIR) != 0);
  } else if (name == "rename") {
    call.Rename(cwd, 0, cwd, 1, 0);
  } else if (name == "renameat" || name == "renameat2") {
    call.Rename(dirfd(0), 1, dirfd(2), 3, name == "renameat2" ? args[4] : 0);
  } else if (name == "link") {
    call.Link(cwd, 0, cwd, 1, false);
  } else if (name == "linkat") {
    call.Link(dirfd(0), 1, dirfd(2), 3, (args[4] & AT_SYMLINK_FOLLOW) != 0);
  } else if (name == "truncate") {
    call.Existing(cwd, 0, true, uapi::kFsTruncate, true);
  } else if (name == "execve") {
    call.Exec(cwd, 0, true);
  } else if (name == "execveat") {
    call.Exec(dirfd(0), 1, (args[4] & AT_SYMLINK_NOFOLLOW) == 0);
  }
  return call.Take();
}

}  // namespace sysfence::run
