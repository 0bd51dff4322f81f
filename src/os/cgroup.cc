// SPDX-License-Identifier: Apache-2.0
#include "os/cgroup.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace sysfence::os {
namespace {

bool IsCgroupDir(const std::string& dir) {
  struct stat st {};
  return stat((dir + "/cgroup.procs").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The fields of one /proc/self/mountinfo line, split at spaces.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

}  // namespace

std::string CgroupV2Mount() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS
    const std::vector<std::string> fields = Fields(line);
    const auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || dash + 1 == fields.end()) continue;
    if (*(dash + 1) == "cgroup2") return fields[4];
  }
  return "";
}

Result<std::string> ResolveCgroupDir(const std::string& path) {
  if (path.empty()) return MakeError(ErrorCode::kInvalidInput, "the cgroup path is empty");
  if (IsCgroupDir(path)) return std::filesystem::path(path).lexically_normal().string();
  const std::string mount = CgroupV2Mount();
  if (!mount.empty() && path.front() == '/' && IsCgroupDir(mount + path)) {
    return std::filesystem::path(mount + path).lexically_normal().string();
  }
  return MakeError(ErrorCode::kNotFound,
                   "no cgroup '" + path + "': neither a cgroup folder (with cgroup.procs) nor a path in the v2 hierarchy" +
                       (mount.empty() ? " (no cgroup2 file system is mounted)" : " at " + mount));
}

Result<std::vector<pid_t>> CgroupProcesses(const std::string& dir) {
  std::ifstream procs(dir + "/cgroup.procs");
  if (!procs) return MakeError(ErrorCode::kNotFound, "cannot read " + dir + "/cgroup.procs (is the cgroup gone?)");
  std::vector<pid_t> pids;
  for (long pid = 0; procs >> pid;) pids.push_back(static_cast<pid_t>(pid));
  std::sort(pids.begin(), pids.end());
  return pids;
}

Result<std::vector<pid_t>> CgroupTreeProcesses(const std::string& dir) {
  Result<std::vector<pid_t>> top = CgroupProcesses(dir);
  if (!top.ok()) return top.error();
  std::vector<pid_t> pids = std::move(top.value());
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_directory(error)) continue;
    Result<std::vector<pid_t>> below = CgroupProcesses(it->path().string());
    if (below.ok()) pids.insert(pids.end(), below.value().begin(), below.value().end());
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

Result<std::string> CgroupDirOf(pid_t pid) {
  std::ifstream cgroup("/proc/" + std::to_string(pid) + "/cgroup");
  if (!cgroup) return MakeError(ErrorCode::kNotFound, "no process with pid " + std::to_string(pid));
  for (std::string line; std::getline(cgroup, line);) {
    if (line.rfind("0::", 0) != 0) continue;
    const std::string mount = CgroupV2Mount();
    if (mount.empty()) break;
    return std::filesystem::path(mount + line.substr(3)).lexically_normal().string();
  }
  return MakeError(ErrorCode::kNotFound, "process " + std::to_string(pid) + " has no cgroup v2 membership");
}

}  // namespace sysfence::os
