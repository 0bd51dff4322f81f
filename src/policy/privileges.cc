// SPDX-License-Identifier: Apache-2.0
#include "policy/privileges.h"

#include <algorithm>
#include <array>

namespace sysfence::policy {
namespace {

constexpr std::array<CapabilityEntry, kLastCapability + 1> kCapabilities = {{
    {"CAP_CHOWN", 0},
    {"CAP_DAC_OVERRIDE", 1},
    {"CAP_DAC_READ_SEARCH", 2},
    {"CAP_FOWNER", 3},
    {"CAP_FSETID", 4},
    {"CAP_KILL", 5},
    {"CAP_SETGID", 6},
    {"CAP_SETUID", 7},
    {"CAP_SETPCAP", 8},
    {"CAP_LINUX_IMMUTABLE", 9},
    {"CAP_NET_BIND_SERVICE", 10},
    {"CAP_NET_BROADCAST", 11},
    {"CAP_NET_ADMIN", 12},
    {"CAP_NET_RAW", 13},
    {"CAP_IPC_LOCK", 14},
    {"CAP_IPC_OWNER", 15},
    {"CAP_SYS_MODULE", 16},
    {"CAP_SYS_RAWIO", 17},
    {"CAP_SYS_CHROOT", 18},
    {"CAP_SYS_PTRACE", 19},
    {"CAP_SYS_PACCT", 20},
    {"CAP_SYS_ADMIN", 21},
    {"CAP_SYS_BOOT", 22},
    {"CAP_SYS_NICE", 23},
    {"CAP_SYS_RESOURCE", 24},
    {"CAP_SYS_TIME", 25},
    {"CAP_SYS_TTY_CONFIG", 26},
    {"CAP_MKNOD", 27},
    {"CAP_LEASE", 28},
    {"CAP_AUDIT_WRITE", 29},
    {"CAP_AUDIT_CONTROL", 30},
    {"CAP_SETFCAP", 31},
    {"CAP_MAC_OVERRIDE", 32},
    {"CAP_MAC_ADMIN", 33},
    {"CAP_SYSLOG", 34},
    {"CAP_WAKE_ALARM", 35},
    {"CAP_BLOCK_SUSPEND", 36},
    {"CAP_AUDIT_READ", 37},
    {"CAP_PERFMON", 38},
    {"CAP_BPF", 39},
    {"CAP_CHECKPOINT_RESTORE", 40},
}};

constexpr std::array<NamespaceEntry, 7> kNamespaces = {{
    {"net", kNsNet},
    {"ipc", kNsIpc},
    {"uts", kNsUts},
    {"pid", kNsPid},
    {"mount", kNsMount},
    {"user", kNsUser},
    {"cgroup", kNsCgroup},
}};

constexpr std::array<ResourceEntry, 16> kResources = {{
    {"CPU", Resource::kCpu, LimitUnit::kSeconds},
    {"FSIZE", Resource::kFsize, LimitUnit::kBytes},
    {"DATA", Resource::kData, LimitUnit::kBytes},
    {"STACK", Resource::kStack, LimitUnit::kBytes},
    {"CORE", Resource::kCore, LimitUnit::kBytes},
    {"RSS", Resource::kRss, LimitUnit::kBytes},
    {"NPROC", Resource::kNproc, LimitUnit::kCount},
    {"NOFILE", Resource::kNofile, LimitUnit::kCount},
    {"MEMLOCK", Resource::kMemlock, LimitUnit::kBytes},
    {"AS", Resource::kAs, LimitUnit::kBytes},
    {"LOCKS", Resource::kLocks, LimitUnit::kCount},
    {"SIGPENDING", Resource::kSigpending, LimitUnit::kCount},
    {"MSGQUEUE", Resource::kMsgqueue, LimitUnit::kBytes},
    {"NICE", Resource::kNice, LimitUnit::kPriority, 40},
    {"RTPRIO", Resource::kRtprio, LimitUnit::kPriority, 99},
    {"RTTIME", Resource::kRttime, LimitUnit::kMicroseconds},
}};

}  // namespace

std::span<const CapabilityEntry> AllCapabilities() { return kCapabilities; }

std::optional<int> CapabilityFromName(std::string_view name) {
  for (const CapabilityEntry& entry : kCapabilities) {
    if (entry.name == name) return entry.number;
  }
  return std::nullopt;
}

std::string CapabilityName(int number) {
  if (number >= 0 && number <= kLastCapability) return std::string(kCapabilities[number].name);
  return "cap_" + std::to_string(number);
}

std::span<const NamespaceEntry> AllNamespaces() { return kNamespaces; }

std::optional<Namespace> NamespaceFromWord(std::string_view word) {
  for (const NamespaceEntry& entry : kNamespaces) {
    if (entry.word == word) return entry.ns;
  }
  return std::nullopt;
}

std::vector<std::string_view> NamespaceWords(uint32_t namespaces) {
  std::vector<std::string_view> words;
  for (const NamespaceEntry& entry : kNamespaces) {
    if ((namespaces & entry.ns) != 0) words.push_back(entry.word);
  }
  return words;
}

std::span<const ResourceEntry> AllResources() { return kResources; }

const ResourceEntry* FindResource(std::string_view name) {
  if (name.starts_with("RLIMIT_")) name.remove_prefix(7);
  for (const ResourceEntry& entry : kResources) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

const ResourceEntry& ResourceInfo(Resource resource) { return kResources[static_cast<size_t>(resource)]; }

std::string FormatLimit(Resource resource, uint64_t value) {
  if (value == kRlimitUnlimited) return "unlimited";
  if (ResourceInfo(resource).unit == LimitUnit::kBytes && value != 0) {
    static constexpr std::pair<char, int> kSuffixes[] = {{'T', 40}, {'G', 30}, {'M', 20}, {'K', 10}};
    for (const auto& [suffix, shift] : kSuffixes) {
      if (value % (uint64_t{1} << shift) == 0) return std::to_string(value >> shift) + suffix;
    }
  }
  return std::to_string(value);
}

void CheckPrivileges(const Policy& policy, Diagnostics& diagnostics) {
  if (policy.caps) {
    const std::vector<int>& keep = policy.caps->keep;
    for (size_t i = 0; i < keep.size(); ++i) {
      if (keep[i] < 0 || keep[i] > kLastCapability) {
        diagnostics.Error(policy.caps->span, "unknown capability number " + std::to_string(keep[i]));
      }
      if (i != 0 && keep[i] <= keep[i - 1]) {
        diagnostics.Error(policy.caps->span, "capabilities to keep are not sorted and distinct");
      }
    }
  }
  if (policy.unshare) {
    uint32_t known = 0;
    for (const NamespaceEntry& entry : kNamespaces) known |= entry.ns;
    if (policy.unshare->namespaces == 0) diagnostics.Error(policy.unshare->span, "unshare names no namespace");
    if ((policy.unshare->namespaces & ~known) != 0) {
      diagnostics.Error(policy.unshare->span, "unshare has unknown namespace bits");
    }
    if ((policy.unshare->namespaces & kNsPid) != 0 && (policy.unshare->namespaces & kNsMount) == 0) {
      diagnostics.Error(policy.unshare->span, std::string(kPidNeedsMount), std::string(kPidNeedsMountHint));
    }
  }
  uint32_t seen = 0;
  for (const RlimitRule& rlimit : policy.rlimits) {
    const size_t index = static_cast<size_t>(rlimit.resource);
    if (index >= kResources.size()) {
      diagnostics.Error(rlimit.span, "unknown resource number " + std::to_string(index));
      continue;
    }
    const ResourceEntry& entry = kResources[index];
    const std::string name(entry.name);
    if ((seen & (1u << index)) != 0) diagnostics.Error(rlimit.span, "rlimit " + name + " appears twice");
    seen |= 1u << index;
    for (uint64_t value : {rlimit.soft, rlimit.hard}) {
      if (value != kRlimitUnlimited && value > entry.max) {
        diagnostics.Error(rlimit.span, "limit " + std::to_string(value) + " is out of range for " + name);
      }
    }
    if (rlimit.soft > rlimit.hard) {
      diagnostics.Error(rlimit.span, "rlimit " + name + ": soft limit " + FormatLimit(rlimit.resource, rlimit.soft) +
                                         " is above the hard limit " + FormatLimit(rlimit.resource, rlimit.hard));
    }
  }
}

void UnitePrivileges(std::span<const Policy> policies, Policy& united) {
  united.caps.reset();
  united.unshare.reset();
  united.rlimits.clear();
  if (policies.empty()) return;
  const auto all = [&](auto has) { return std::all_of(policies.begin(), policies.end(), has); };
  if (all([](const Policy& p) { return p.caps.has_value(); })) {
    CapsRule caps = *policies.front().caps;
    for (const Policy& policy : policies) caps.keep.insert(caps.keep.end(), policy.caps->keep.begin(), policy.caps->keep.end());
    std::sort(caps.keep.begin(), caps.keep.end());
    caps.keep.erase(std::unique(caps.keep.begin(), caps.keep.end()), caps.keep.end());
    united.caps = std::move(caps);
  }
  if (all([](const Policy& p) { return p.unshare.has_value(); })) {
    UnshareRule unshare = *policies.front().unshare;
    for (const Policy& policy : policies) unshare.namespaces &= policy.unshare->namespaces;
    if (unshare.namespaces != 0) united.unshare = std::move(unshare);
  }
  for (RlimitRule rlimit : policies.front().rlimits) {
    bool everywhere = true;
    for (const Policy& policy : policies) {
      auto it = std::find_if(policy.rlimits.begin(), policy.rlimits.end(),
                             [&](const RlimitRule& r) { return r.resource == rlimit.resource; });
      if (it == policy.rlimits.end()) {
        everywhere = false;
        break;
      }
      rlimit.soft = std::max(rlimit.soft, it->soft);
      rlimit.hard = std::max(rlimit.hard, it->hard);
    }
    if (everywhere) united.rlimits.push_back(std::move(rlimit));
  }
}

std::vector<std::string> PrivilegeLines(const Policy& policy) {
  std::vector<std::string> lines;
  if (policy.caps) {
    std::string line = "caps keep";
    if (policy.caps->keep.empty()) line += " none";
    for (int number : policy.caps->keep) line += " " + CapabilityName(number);
    lines.push_back(std::move(line));
  }
  if (policy.unshare) {
    std::string line = "unshare";
    for (std::string_view word : NamespaceWords(policy.unshare->namespaces)) line += " " + std::string(word);
    lines.push_back(std::move(line));
  }
  for (const RlimitRule& rlimit : policy.rlimits) {
    std::string line = "rlimit " + std::string(ResourceInfo(rlimit.resource).name) + " " +
                       FormatLimit(rlimit.resource, rlimit.soft);
    if (rlimit.hard != rlimit.soft) line += " " + FormatLimit(rlimit.resource, rlimit.hard);
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace sysfence::policy
