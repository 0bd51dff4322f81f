// SPDX-License-Identifier: Apache-2.0
#include "run/landlock_judge.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "os/landlock_uapi.h"
#include "policy/fs_access.h"
#include "policy/printer.h"

namespace sysfence::run {
namespace {

namespace uapi = os::landlock_uapi;

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) parts.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

// "read-file" -> "fs.read_file": the kernel's blocker spelling.
std::string KernelName(std::string_view prefix, std::string name) {
  for (char& c : name) c = c == '-' ? '_' : c;
  return std::string(prefix) + name;
}

}  // namespace

std::vector<std::string> LandlockBlockers(const LandlockMiss& miss) {
  std::vector<std::string> blockers;
  if (miss.fs_missing != 0) {
    for (std::string& name : SplitCommas(os::LandlockFsRightsText(miss.fs_missing))) {
      blockers.push_back(KernelName("fs.", std::move(name)));
    }
  }
  if (miss.net_missing != 0) {
    for (std::string& name : SplitCommas(os::LandlockNetRightsText(miss.net_missing))) {
      blockers.push_back(KernelName("net.", std::move(name)));
    }
  }
  return blockers;
}

std::string LandlockSuggestion(const LandlockMiss& miss) {
  if (miss.net_missing & uapi::kNetBindTcp) return fmt::format("net bind tcp {}", miss.port);
  if (miss.net_missing & uapi::kNetConnectTcp) return fmt::format("net connect tcp {}", miss.port);
  if (miss.fs_missing == 0) return "";
  // The policy's FsAccess bits are Landlock's (run/landlock_grants.cc checks it). Printed as the
  // policy printer prints it, so a path with a space is quoted and `merge` reads it back.
  policy::FsRule rule;
  rule.access = static_cast<uint32_t>(miss.fs_missing);
  rule.paths = {miss.path};
  return policy::PrintFsRule(rule);
}

LandlockMiss LandlockMissFromBlockers(const std::vector<std::string>& blockers, std::string path, int port) {
  LandlockMiss miss;
  for (const std::string& blocker : blockers) {
    for (int bit = 0; bit < 64; ++bit) {
      const uint64_t right = uint64_t{1} << bit;
      const std::string fs = os::LandlockFsRightsText(right);
      if (fs != "none" && KernelName("fs.", fs) == blocker) miss.fs_missing |= right;
      const std::string net = os::LandlockNetRightsText(right);
      if (net != "none" && KernelName("net.", net) == blocker) miss.net_missing |= right;
    }
  }
  if (miss.fs_missing != 0) miss.path = std::move(path);
  if (miss.net_missing != 0) miss.port = port;
  return miss;
}

Result<LandlockJudge> LandlockJudge::FromPlan(const os::LandlockPlan& plan) {
  LandlockJudge judge;
  judge.handled_fs_ = plan.handled_fs;
  judge.handled_net_ = plan.handled_net;
  for (const os::LandlockPathRule& rule : plan.path_rules) {
    struct stat st {};
    if (stat(rule.path.c_str(), &st) != 0) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: cannot open '{}': {}", rule.span.ToString(), rule.path, std::strerror(errno)));
    }
    judge.fs_rights_[{st.st_dev, st.st_ino}] |= rule.allowed_access;
  }
  for (const os::LandlockPortRule& rule : plan.port_rules) judge.port_rights_[rule.port] |= rule.allowed_access;
  return judge;
}

uint64_t LandlockJudge::AllowedBeneathDirectory(const std::string& path) const {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return 0;
  auto cached = directories_.find(path);
  if (cached != directories_.end() && cached->second.dev == st.st_dev && cached->second.ino == st.st_ino) {
    return cached->second.allowed;
  }
  uint64_t allowed = 0;
  auto it = fs_rights_.find({st.st_dev, st.st_ino});
  if (it != fs_rights_.end()) allowed |= it->second;
  if (path != "/") {
    const size_t slash = path.find_last_of('/');
    allowed |= AllowedBeneathDirectory(slash == 0 ? "/" : path.substr(0, slash));
  }
  if (directories_.size() >= kMaxCachedDirectories) directories_.clear();
  directories_[path] = {st.st_dev, st.st_ino, allowed};
  return allowed;
}

uint64_t LandlockJudge::AllowedFs(const std::string& canonical_path) const {
  if (fs_rights_.empty() || canonical_path.empty() || canonical_path[0] != '/') return 0;
  if (canonical_path == "/") return AllowedBeneathDirectory("/");
  uint64_t allowed = 0;
  struct stat st {};
  if (lstat(canonical_path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return AllowedBeneathDirectory(canonical_path);
    auto it = fs_rights_.find({st.st_dev, st.st_ino});
    if (it != fs_rights_.end()) allowed |= it->second;
  }
  const size_t slash = canonical_path.find_last_of('/');
  return allowed | AllowedBeneathDirectory(slash == 0 ? "/" : canonical_path.substr(0, slash));
}

uint64_t LandlockJudge::MissingNet(uint16_t port, uint64_t wanted) const {
  auto it = port_rights_.find(port);
  const uint64_t allowed = it == port_rights_.end() ? 0 : it->second;
  return wanted & handled_net_ & ~allowed;
}

}  // namespace sysfence::run
