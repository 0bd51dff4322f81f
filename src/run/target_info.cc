// SPDX-License-Identifier: Apache-2.0
#include "run/target_info.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>

namespace sysfence::run {
namespace {

// Reads a small /proc file into `out` (without the trailing newline); false when it cannot.
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

std::optional<std::string> ReadLink(const char* path) {
  std::array<char, 4096> buffer;
  const ssize_t n = readlink(path, buffer.data(), buffer.size());
  if (n < 0) return std::nullopt;
  return std::string(buffer.data(), static_cast<size_t>(n));
}

}  // namespace

TaskInfo ReadTaskInfo(int tid) {
  TaskInfo info{0, "?", "?"};
  if (tid <= 0) return info;
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/status", tid);
  std::string status;
  if (ReadSmallFile(path, status)) {
    // "Name:\tcomm\n...Tgid:\t1234\n"
    if (status.starts_with("Name:\t")) {
      const size_t end = status.find('\n');
      info.comm = status.substr(6, end == std::string::npos ? std::string::npos : end - 6);
    }
    const size_t tgid_at = status.find("\nTgid:\t");
    if (tgid_at != std::string::npos) info.tgid = std::atoi(status.c_str() + tgid_at + 7);
  }
  std::snprintf(path, sizeof(path), "/proc/%d/exe", tid);
  if (auto exe = ReadLink(path)) info.exe = std::move(*exe);
  return info;
}

const TaskInfo& TaskInfoCache::Get(int tid, int64_t now_ns) {
  if (tid <= 0) return unknown_;
  auto [it, inserted] = entries_.try_emplace(tid);
  if (inserted || now_ns - it->second.read_at_ns > kMaxAgeNs) {
    it->second.info = ReadTaskInfo(tid);
    it->second.read_at_ns = now_ns;
  }
  // Threads come and go; keep the cache from growing without bound.
  if (entries_.size() > 4096) {
    TaskInfo keep = it->second.info;
    entries_.clear();
    auto& fresh = entries_[tid];
    fresh.info = std::move(keep);
    fresh.read_at_ns = now_ns;
    return fresh.info;
  }
  return it->second.info;
}

std::optional<std::string> ReadFdTarget(int tid, int fd) {
  if (tid <= 0 || fd < 0) return std::nullopt;
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, fd);
  return ReadLink(path);
}

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

}  // namespace sysfence::run
