// SPDX-License-Identifier: Apache-2.0
#include "profile/profile.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "fmt/format.h"
#include "syscalls/syscalls.h"

namespace sysfence::profile {

void ArgValues::Add(uint64_t value) {
  if (values.count(value) != 0) return;
  if (values.size() >= kMaxArgValues) {
    overflow = true;
    return;
  }
  values.insert(value);
}

void ArgValues::Merge(const ArgValues& other) {
  for (uint64_t value : other.values) Add(value);
  overflow = overflow || other.overflow;
}

const SyscallRecord* FindSyscall(const Profile& profile, Arch arch, std::string_view name) {
  for (const SyscallRecord& record : profile.syscalls) {
    if (record.arch == arch && record.name == name) return &record;
  }
  return nullptr;
}

uint64_t TotalCalls(const Profile& profile) {
  uint64_t total = 0;
  for (const SyscallRecord& record : profile.syscalls) total += record.count;
  return total;
}

std::map<std::pair<Arch, uint32_t>, uint64_t> CallCounts(const Profile& profile) {
  std::map<std::pair<Arch, uint32_t>, uint64_t> counts;
  for (const SyscallRecord& record : profile.syscalls) {
    uint64_t& total = counts[{record.arch, record.number}];
    total = record.count > UINT64_MAX - total ? UINT64_MAX : total + record.count;
  }
  return counts;
}

std::vector<std::string> UnnamedSyscalls(const Profile& profile) {
  std::vector<std::string> unnamed;
  for (const SyscallRecord& record : profile.syscalls) {
    if (!syscalls::IsKnownName(record.name)) {
      unnamed.push_back(fmt::format("{} nr {}", ArchName(record.arch), record.number));
    }
  }
  return unnamed;
}

std::optional<uint64_t> SingleValueOf(const SyscallRecord& record, std::string_view arg_name) {
  const std::span<const syscalls::ArgInfo> signature = syscalls::ArgsOfOn(record.arch, record.name);
  for (size_t i = 0; i < signature.size(); ++i) {
    if (signature[i].name != arg_name) continue;
    auto it = record.args.find(static_cast<int>(i));
    if (it == record.args.end() || it->second.overflow || it->second.values.size() != 1) return std::nullopt;
    return *it->second.values.begin();
  }
  return std::nullopt;
}

int CompareKernelReleases(std::string_view a, std::string_view b) {
  // Compare the leading dotted numbers ("6.1.0-18-amd64" -> 6, 1, 0); stop at the first non-digit
  // that is not a dot.
  auto parts = [](std::string_view text) {
    std::vector<uint64_t> numbers;
    uint64_t current = 0;
    bool in_number = false;
    for (char c : text) {
      if (std::isdigit(static_cast<unsigned char>(c))) {
        current = current * 10 + static_cast<uint64_t>(c - '0');
        in_number = true;
      } else if (c == '.' && in_number) {
        numbers.push_back(current);
        current = 0;
        in_number = false;
      } else {
        break;
      }
    }
    if (in_number) numbers.push_back(current);
    return numbers;
  };
  const auto pa = parts(a);
  const auto pb = parts(b);
  if (pa < pb) return -1;
  if (pb < pa) return 1;
  return 0;
}

Profile MergeProfiles(const std::vector<Profile>& profiles) {
  Profile merged;
  if (profiles.empty()) return merged;
  merged.native_arch = profiles.front().native_arch;
  merged.command = profiles.front().command;
  merged.attached_pid = profiles.front().attached_pid;
  merged.recordings = 0;
  merged.errors_known = true;
  merged.paths_known = true;
  merged.fds_known = true;
  std::map<std::pair<Arch, std::string>, SyscallRecord> syscalls;
  std::vector<std::string> backends;
  for (const Profile& profile : profiles) {
    if (std::find(backends.begin(), backends.end(), profile.backend) == backends.end()) {
      backends.push_back(profile.backend);
    }
    if (merged.kernel_release.empty() ||
        (!profile.kernel_release.empty() && CompareKernelReleases(profile.kernel_release, merged.kernel_release) < 0)) {
      merged.kernel_release = profile.kernel_release;
    }
    merged.duration_ms += profile.duration_ms;
    merged.process_images += profile.process_images;
    merged.recordings += profile.recordings;
    merged.errors_known = merged.errors_known && profile.errors_known;
    merged.paths_known = merged.paths_known && profile.paths_known;
    merged.fds_known = merged.fds_known && profile.fds_known;
    merged.highest_fd = std::max(merged.highest_fd, profile.highest_fd);
    for (const SyscallRecord& record : profile.syscalls) {
      auto [it, inserted] = syscalls.try_emplace({record.arch, record.name}, record);
      if (inserted) continue;
      SyscallRecord& into = it->second;
      into.count += record.count;
      into.errors += record.errors;
      into.first_ms = std::min(into.first_ms, record.first_ms);
      into.last_ms = std::max(into.last_ms, record.last_ms);
      into.processes += record.processes;
      into.startup_only = into.startup_only && record.startup_only;
      for (const auto& [index, values] : record.args) into.args[index].Merge(values);
    }
    merged.executables.insert(merged.executables.end(), profile.executables.begin(), profile.executables.end());
    for (const auto& [path, access] : profile.paths) merged.paths[path] |= access;
  }
  std::sort(merged.executables.begin(), merged.executables.end());
  merged.executables.erase(std::unique(merged.executables.begin(), merged.executables.end()),
                           merged.executables.end());
  for (auto& [key, record] : syscalls) merged.syscalls.push_back(std::move(record));
  for (size_t i = 0; i < backends.size(); ++i) merged.backend += (i ? "+" : "") + backends[i];
  if (profiles.size() == 1) {  // several runs' clocks and pids do not line up: no timeline, no tree
    merged.timeline = profiles.front().timeline;
    merged.processes = profiles.front().processes;
  }
  return merged;
}

}  // namespace sysfence::profile
