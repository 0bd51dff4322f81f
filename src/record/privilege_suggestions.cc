// SPDX-License-Identifier: Apache-2.0
#include "record/privilege_suggestions.h"

#include <array>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "policy/capability_use.h"
#include "policy/privileges.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

constexpr uint64_t kAfUnix = 1;

// Every combination of recorded argument values of `record` the capability table looks at, as
// six-register sets (only socket, mknod, clone, unshare, setpriority, sched_setscheduler and
// setsockopt depend on their values, through at most two arguments).
std::vector<std::array<uint64_t, 6>> ArgumentSets(const profile::SyscallRecord& record) {
  std::vector<std::array<uint64_t, 6>> sets = {{}};
  for (const auto& [index, values] : record.args) {
    if (index < 0 || index > 5 || values.values.empty()) continue;
    std::vector<std::array<uint64_t, 6>> next;
    for (const auto& set : sets) {
      for (uint64_t value : values.values) {
        auto copy = set;
        copy[static_cast<size_t>(index)] = value;
        next.push_back(copy);
      }
    }
    sets = std::move(next);
  }
  return sets;
}

struct CapabilityEvidence {
  std::set<std::string> reasons;
  bool always = false;
};

std::map<int, CapabilityEvidence> CapabilitiesUsed(const profile::Profile& profile) {
  std::map<int, CapabilityEvidence> used;
  for (const profile::SyscallRecord& record : profile.syscalls) {
    for (const auto& args : ArgumentSets(record)) {
      const bool values_known = !record.args.empty();
      std::optional<policy::CapabilityUse> use = policy::CapabilityNeededBy(
          record.arch, record.name, values_known ? std::span<const uint64_t>(args) : std::span<const uint64_t>());
      if (!use) continue;
      CapabilityEvidence& evidence = used[use->capability];
      evidence.reasons.insert(use->reason);
      evidence.always = evidence.always || use->need == policy::CapabilityNeed::kAlways;
    }
  }
  return used;
}

std::string CapabilityLines(const profile::Profile& profile) {
  std::string out =
      "# Capabilities (inferred from the calls and their arguments; the kernel's own capability checks\n"
      "# were not observed: hooking cap_capable needs a kprobe or fentry program, which sysfence does not\n"
      "# load; a bind to a port below 1024 is in memory the recorder does not read):\n";
  const std::map<int, CapabilityEvidence> used = CapabilitiesUsed(profile);
  std::vector<std::string> keep;
  for (const auto& [capability, evidence] : used) {
    std::string reasons;
    for (const std::string& reason : evidence.reasons) reasons += (reasons.empty() ? "" : ", ") + reason;
    const std::string name = policy::CapabilityName(capability);
    out += fmt::format("#   {} {}: {}\n", name, evidence.always ? "needed" : "may be needed", reasons);
    if (evidence.always) keep.push_back(name);
  }
  if (used.empty()) out += "#   none of the recorded calls needs one\n";
  if (keep.size() != used.size()) out += "#   (add one that may be needed if the program fails with EPERM without it)\n";
  std::string line = "# caps keep";
  if (keep.empty()) line += " none";
  for (const std::string& name : keep) line += " " + name;
  return out + line + "\n";
}

std::string NetworkLines(const profile::Profile& profile) {
  std::set<std::string> families;
  bool unknown = false;
  bool sockets = false;
  for (const profile::SyscallRecord& record : profile.syscalls) {
    if (record.name != "socket" && record.name != "socketpair") continue;
    sockets = true;
    auto it = record.args.find(0);
    if (it == record.args.end() || it->second.overflow || it->second.values.empty()) {
      unknown = true;
      continue;
    }
    for (uint64_t family : it->second.values) {
      if (family == kAfUnix) continue;
      const syscalls::Constant* named = nullptr;
      for (const syscalls::Constant& constant : syscalls::AllConstants()) {
        if (constant.value == family && constant.family == "AF") {
          named = &constant;
          break;
        }
      }
      families.insert(named != nullptr ? std::string(named->name) : fmt::format("family {}", family));
    }
  }
  if (!families.empty()) {
    std::string list;
    for (const std::string& family : families) list += (list.empty() ? "" : ", ") + family;
    return fmt::format("# Network: the program opened {} sockets: it uses the network (no 'unshare net').\n", list);
  }
  if (unknown) {
    return "# Network: sockets were opened but their families were not recorded: whether it used the\n"
           "# network is unknown (record with --backend ptrace or unotify to see the families).\n";
  }
  return std::string("# Network: ") +
         (sockets ? "only AF_UNIX sockets were opened" : "no socket was opened") +
         " (sockets passed in by the caller are not seen):\n# unshare net\n";
}

std::string OpenFileLines(const profile::Profile& profile) {
  if (!profile.fds_known) {
    return fmt::format("# Open files: not measured by the {} backend (the eBPF backend measures them).\n",
                       profile.backend);
  }
  if (profile.highest_fd < 0) return "# Open files: the program was given no new file descriptor.\n";
  // Room for four times the highest descriptor seen, at least 64, as a power of two.
  uint64_t limit = 64;
  while (limit < static_cast<uint64_t>(profile.highest_fd + 1) * 4) limit *= 2;
  return fmt::format(
      "# Open files: the highest descriptor the program was given was {} (at least {} open at once);\n"
      "# RLIMIT_NOFILE bounds descriptor numbers, so it needs more than {}:\n# rlimit NOFILE {}\n",
      profile.highest_fd, profile.highest_fd + 1, profile.highest_fd, limit);
}

}  // namespace

std::string PrivilegeSuggestions(const profile::Profile& profile) {
  return "\n# Beyond seccomp: suggestions from the recording (uncomment what fits; docs/policy-language.md).\n" +
         CapabilityLines(profile) + NetworkLines(profile) + OpenFileLines(profile);
}

}  // namespace sysfence::record
