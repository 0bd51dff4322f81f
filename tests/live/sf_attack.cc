// SPDX-License-Identifier: Apache-2.0
// sf_attack: the routes a confined program would take to switch off or silence what supervises it,
// each tried against one process, each printed as one line:
//
//   ROUTE reachable DETAIL     the route works against that process
//   ROUTE blocked ERRNO        the kernel refused it
//
//   sf_attack PID|parent ROUTE...   routes: mem (open /proc/PID/mem read-write, read and write back
//                                   8 bytes), vm (process_vm_readv), getfd (pidfd_getfd of fds 0..63),
//                                   ptrace (PTRACE_SEIZE), signal (SIGWINCH, ignored by default),
//                                   stop (SIGSTOP then SIGCONT), listener (a seccomp notification
//                                   fd among our own fds), fds (our own fds above 2)
//   sf_attack ... then-call NAME    after the routes, call NAME (getppid | uname | sethostname |
//                                   unshare: CLONE_NEWUTS) and print
//                                   "ret=N errno=NAME" (to show the policy still holds)
//
//   sf_attack nondumpable-sleep SECONDS
//                                   a victim: makes itself non-dumpable, then sleeps
//
// "parent" is the process that started us: under `sysfence run`, the supervisor.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void Reachable(const char* route, const std::string& detail) { std::printf("%s reachable %s\n", route, detail.c_str()); }
void Blocked(const char* route, int err) { std::printf("%s blocked %s\n", route, strerrorname_np(err)); }

// The start of the target's first mapping, or 0 when its maps cannot be read.
uint64_t FirstMapping(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/maps";
  FILE* maps = std::fopen(path.c_str(), "r");
  if (maps == nullptr) return 0;
  unsigned long long start = 0;
  if (std::fscanf(maps, "%llx-", &start) != 1) start = 0;
  std::fclose(maps);
  return start;
}

void Mem(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/mem";
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Blocked("mem", errno);
  const uint64_t address = FirstMapping(pid);
  char bytes[8];
  if (address == 0 || pread(fd, bytes, sizeof(bytes), static_cast<off_t>(address)) != sizeof(bytes)) {
    Reachable("mem", "opened read-write");
  } else if (pwrite(fd, bytes, sizeof(bytes), static_cast<off_t>(address)) == sizeof(bytes)) {
    Reachable("mem", "read and wrote back 8 bytes");
  } else {
    Reachable("mem", "opened and read");
  }
  close(fd);
}

void Vm(pid_t pid) {
  // Permission is checked before the address: EPERM means refused, EFAULT means it got past.
  const uint64_t address = FirstMapping(pid);
  char bytes[8];
  iovec local{bytes, sizeof(bytes)};
  iovec remote{reinterpret_cast<void*>(address != 0 ? address : 0x1000), sizeof(bytes)};
  const ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (got >= 0 || errno == EFAULT) return Reachable("vm", got >= 0 ? "read 8 bytes" : "permitted (EFAULT)");
  Blocked("vm", errno);
}

void GetFd(pid_t pid) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return Blocked("getfd", errno);
  int last_error = 0;
  for (int target = 0; target < 64; ++target) {
    const int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, target, 0));
    if (fd >= 0) {
      close(fd);
      close(pidfd);
      return Reachable("getfd", "took fd " + std::to_string(target));
    }
    last_error = errno;
    if (errno == EBADF) continue;  // permitted, nothing open at that number
    break;
  }
  close(pidfd);
  if (last_error == EBADF) return Reachable("getfd", "permitted (EBADF)");
  Blocked("getfd", last_error);
}

void Ptrace(pid_t pid) {
  if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) return Blocked("ptrace", errno);
  ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
  Reachable("ptrace", "seized");
}

void Signal(pid_t pid) {
  if (kill(pid, SIGWINCH) != 0) return Blocked("signal", errno);
  Reachable("signal", "sent SIGWINCH");
}

void Stop(pid_t pid) {
  if (kill(pid, SIGSTOP) != 0) return Blocked("stop", errno);
  kill(pid, SIGCONT);
  Reachable("stop", "stopped and continued");
}

// Our own fds above 2, as "N:target" pairs; `only` keeps those whose link contains it.
std::string OwnFds(const char* only) {
  std::string found;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return "?";
  const int self = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (entry->d_name[0] == '.' || fd <= 2 || fd == self) continue;
    char link[256] = {};
    const std::string path = std::string("/proc/self/fd/") + entry->d_name;
    if (readlink(path.c_str(), link, sizeof(link) - 1) < 0) continue;
    if (only != nullptr && std::strstr(link, only) == nullptr) continue;
    found += (found.empty() ? "" : ",") + std::to_string(fd) + ":" + link;
  }
  closedir(dir);
  return found;
}

long CallByName(const std::string& name) {
  if (name == "getppid") return syscall(SYS_getppid);
  char buffer[512];
  if (name == "uname") return syscall(SYS_uname, buffer);
  if (name == "sethostname") return syscall(SYS_sethostname, "sf-attack", 9);
  if (name == "unshare") return syscall(SYS_unshare, CLONE_NEWUTS);
  std::fprintf(stderr, "sf_attack: unknown call %s\n", name.c_str());
  std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sf_attack PID|parent ROUTE... [then-call NAME]\n");
    return 64;
  }
  if (std::strcmp(argv[1], "nondumpable-sleep") == 0) {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    sleep(static_cast<unsigned>(std::atoi(argv[2])));
    return 0;
  }
  const pid_t pid = std::strcmp(argv[1], "parent") == 0 ? getppid() : static_cast<pid_t>(std::atoi(argv[1]));
  for (int i = 2; i < argc; ++i) {
    const std::string route = argv[i];
    if (route == "mem") Mem(pid);
    else if (route == "vm") Vm(pid);
    else if (route == "getfd") GetFd(pid);
    else if (route == "ptrace") Ptrace(pid);
    else if (route == "signal") Signal(pid);
    else if (route == "stop") Stop(pid);
    else if (route == "listener") {
      const std::string fds = OwnFds("seccomp");
      fds.empty() ? Blocked("listener", ENOENT) : Reachable("listener", fds);
    } else if (route == "fds") {
      const std::string fds = OwnFds(nullptr);
      fds.empty() ? Blocked("fds", ENOENT) : Reachable("fds", fds);
    } else if (route == "then-call" && i + 1 < argc) {
      const long ret = CallByName(argv[++i]);
      const int err = ret < 0 ? errno : 0;
      std::printf("ret=%ld errno=%s\n", ret, err == 0 ? "0" : strerrorname_np(err));
    } else {
      std::fprintf(stderr, "sf_attack: unknown route %s\n", route.c_str());
      return 64;
    }
    std::fflush(stdout);
  }
  return 0;
}
