// SPDX-License-Identifier: Apache-2.0
#include "os/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace sysfence::os {
namespace {

// Reads a small /proc file into `out`; false when it cannot.
bool ReadSmallFile(const char* path, std::string& out) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::array<char, 4096> buffer;
  const ssize_t n = read(fd, buffer.data(), buffer.size());
  close(fd);
  if (n < 0) return false;
  out.assign(buffer.data(), static_cast<size_t>(n));
  return true;
}

std::string StatusPath(pid_t pid) { return "/proc/" + std::to_string(pid) + "/status"; }

// The number after "\nFIELD:\t" in /proc/PID/status text, or -1.
long StatusField(const std::string& status, const char* field) {
  const std::string key = std::string("\n") + field + ":";
  const size_t at = status.find(key);
  if (at == std::string::npos) return -1;
  return std::strtol(status.c_str() + at + key.size(), nullptr, 10);
}

// The parent pid, state letter and start time from /proc/PID/stat ("pid (comm) S ppid ... field
// 22 starttime"); false when gone.
bool ReadStat(pid_t pid, pid_t& parent, char& state, uint64_t* start_time = nullptr) {
  std::string stat;
  if (!ReadSmallFile(("/proc/" + std::to_string(pid) + "/stat").c_str(), stat)) return false;
  const size_t close_paren = stat.rfind(')');  // comm may hold spaces and parentheses
  if (close_paren == std::string::npos || close_paren + 4 > stat.size()) return false;
  state = stat[close_paren + 2];
  parent = static_cast<pid_t>(std::atoi(stat.c_str() + close_paren + 4));
  if (start_time != nullptr) {
    // Fields after ")" start at 3 (state); starttime is field 22: 19 more spaces.
    size_t at = close_paren + 2;
    for (int field = 3; field < 22 && at != std::string::npos; ++field) at = stat.find(' ', at + 1);
    *start_time = at == std::string::npos ? 0 : std::strtoull(stat.c_str() + at + 1, nullptr, 10);
  }
  return true;
}

}  // namespace

TaskInfo ReadTaskInfo(int tid) {
  TaskInfo info{0, "?", "?"};
  if (tid <= 0) return info;
  std::string status;
  if (ReadSmallFile(StatusPath(tid).c_str(), status)) {
    // "Name:\tcomm\n...Tgid:\t1234\n"
    if (status.starts_with("Name:\t")) {
      const size_t end = status.find('\n');
      info.comm = status.substr(6, end == std::string::npos ? std::string::npos : end - 6);
    }
    const long tgid = StatusField(status, "Tgid");
    if (tgid >= 0) info.tgid = static_cast<int>(tgid);
  }
  if (auto exe = ReadLink("/proc/" + std::to_string(tid) + "/exe")) info.exe = std::move(*exe);
  return info;
}

pid_t ThreadGroupOf(pid_t tid) {
  std::string status;
  if (!ReadSmallFile(StatusPath(tid).c_str(), status)) return tid;
  const long tgid = StatusField(status, "Tgid");
  return tgid > 0 ? static_cast<pid_t>(tgid) : tid;
}

pid_t ParentOf(pid_t pid) {
  pid_t parent = 0;
  char state = 0;
  return ReadStat(pid, parent, state) ? parent : 0;
}

std::string ExecutableOf(pid_t pid) { return ReadLink("/proc/" + std::to_string(pid) + "/exe").value_or(""); }

std::optional<std::string> ReadLink(const std::string& link) {
  std::array<char, 4096> buffer;
  const ssize_t n = readlink(link.c_str(), buffer.data(), buffer.size());
  if (n < 0) return std::nullopt;
  return std::string(buffer.data(), static_cast<size_t>(n));
}

std::optional<std::string> ReadFdTarget(int tid, int fd) {
  if (tid <= 0 || fd < 0) return std::nullopt;
  return ReadLink("/proc/" + std::to_string(tid) + "/fd/" + std::to_string(fd));
}

std::string WorkingDirectoryOf(pid_t tid) { return ReadLink("/proc/" + std::to_string(tid) + "/cwd").value_or(""); }

std::optional<std::string> ReadTargetString(int tid, uint64_t address, size_t max_bytes) {
  if (tid <= 0 || address == 0) return std::nullopt;
  std::string out;
  constexpr uint64_t kPage = 4096;
  while (out.size() < max_bytes) {
    // Never cross a page boundary in one read: the next page may be unmapped.
    const uint64_t chunk = std::min<uint64_t>(kPage - (address % kPage), max_bytes - out.size());
    char buffer[4096];
    iovec local{buffer, chunk};
    iovec remote{reinterpret_cast<void*>(address), chunk};
    const ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (n <= 0) return out.empty() ? std::nullopt : std::optional<std::string>(out);
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

bool ReadTargetBytes(int tid, uint64_t address, void* out, size_t size) {
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(address), size};
  return process_vm_readv(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

int SeccompModeOf(pid_t pid) {
  std::string status;
  if (!ReadSmallFile(StatusPath(pid).c_str(), status)) return -1;
  return static_cast<int>(StatusField(status, "Seccomp"));
}

std::vector<pid_t> ThreadsOf(pid_t pid) {
  std::vector<pid_t> threads;
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (dir == nullptr) return threads;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    threads.push_back(static_cast<pid_t>(std::atoi(entry->d_name)));
  }
  closedir(dir);
  return threads;
}

std::vector<pid_t> DescendantsOf(pid_t root) {
  std::map<pid_t, pid_t> parent_of;
  if (DIR* dir = opendir("/proc")) {
    while (dirent* entry = readdir(dir)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
      pid_t parent = 0;
      char state = 0;
      if (pid > 0 && ReadStat(pid, parent, state) && state != 'Z' && state != 'X') parent_of[pid] = parent;
    }
    closedir(dir);
  }
  std::vector<pid_t> found;
  for (const auto& [pid, parent] : parent_of) {
    // Walk up; the chain is short and ends at 0 (the idle task) or at a pid we have no entry for.
    for (pid_t up = parent; up > 0;) {
      if (up == root) {
        found.push_back(pid);
        break;
      }
      auto it = parent_of.find(up);
      if (it == parent_of.end()) break;
      up = it->second;
    }
  }
  return found;
}

std::string CommandOf(pid_t pid) {
  std::string comm;
  if (!ReadSmallFile(("/proc/" + std::to_string(pid) + "/comm").c_str(), comm)) return "?";
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

bool IsRunning(pid_t pid) {
  pid_t parent = 0;
  char state = 0;
  return pid > 0 && ReadStat(pid, parent, state) && state != 'Z' && state != 'X';
}

ProcessRef RefOf(pid_t pid) {
  pid_t parent = 0;
  char state = 0;
  ProcessRef ref{pid, 0};
  if (!ReadStat(pid, parent, state, &ref.start_time)) ref.start_time = 0;
  return ref;
}

bool SignalIfSame(const ProcessRef& process, int signal) {
  if (process.pid <= 0 || process.start_time == 0) return false;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, process.pid, 0));
  if (pidfd < 0) return false;
  // The pidfd holds the process the pid names now; is it still the one we mean?
  const bool same = RefOf(process.pid).start_time == process.start_time;
  const bool sent = same && syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) == 0;
  close(pidfd);
  return sent;
}

void SignalTree(pid_t root, int signal) {
  std::vector<ProcessRef> tree = {RefOf(root)};
  for (pid_t pid : DescendantsOf(root)) tree.push_back(RefOf(pid));
  for (const ProcessRef& process : tree) SignalIfSame(process, signal);
}

}  // namespace sysfence::os
