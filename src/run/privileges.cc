// SPDX-License-Identifier: Apache-2.0
#include "run/privileges.h"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>

#include "policy/capability_use.h"
#include "policy/privileges.h"

namespace sysfence::run {
namespace {

uint64_t CloneFlag(policy::Namespace ns) {
  switch (ns) {
    case policy::kNsNet: return CLONE_NEWNET;
    case policy::kNsIpc: return CLONE_NEWIPC;
    case policy::kNsUts: return CLONE_NEWUTS;
    case policy::kNsPid: return CLONE_NEWPID;
    case policy::kNsMount: return CLONE_NEWNS;
    case policy::kNsUser: return CLONE_NEWUSER;
    case policy::kNsCgroup: return CLONE_NEWCGROUP;
  }
  return 0;
}

}  // namespace

uint64_t CloneFlagsOf(const policy::Policy& policy) {
  if (!policy.unshare) return 0;
  uint64_t flags = 0;
  for (const policy::NamespaceEntry& entry : policy::AllNamespaces()) {
    if ((policy.unshare->namespaces & entry.ns) != 0) flags |= CloneFlag(entry.ns);
  }
  return flags;
}

std::vector<os::ResourceLimit> ResourceLimitsOf(const policy::Policy& policy) {
  std::vector<os::ResourceLimit> limits;
  for (const policy::RlimitRule& rule : policy.rlimits) {
    const auto value = [](uint64_t v) { return v == policy::kRlimitUnlimited ? RLIM_INFINITY : v; };
    limits.push_back({static_cast<int>(rule.resource), std::string(policy::ResourceInfo(rule.resource).name),
                      value(rule.soft), value(rule.hard)});
  }
  return limits;
}

bool HasPrivilegeLines(const policy::Policy& policy) {
  return policy.caps || policy.unshare || !policy.rlimits.empty();
}

std::vector<std::string> MonitorPrivilegeNotes(const policy::Policy& policy) {
  std::vector<std::string> notes;
  if (!HasPrivilegeLines(policy)) return notes;
  notes.push_back("monitor mode does not apply the policy's caps, unshare and rlimit lines");
  if (policy.caps) {
    notes.push_back(
        "caps: calls the supervisor sees (those the policy does not allow) that need a capability 'caps keep' "
        "drops are reported; calls the policy allows are not seen; the kernel's own capability checks "
        "(cap_capable) are not observed (that needs a kprobe or fentry program, which sysfence does not load); a "
        "bind to a port below 1024 is in memory the filter cannot read");
  }
  if (policy.unshare) {
    notes.push_back("unshare: what new namespaces would hide (the host's network, processes, mounts, IPC) cannot "
                    "be observed from the calls; run in enforce mode to see it");
  }
  if (!policy.rlimits.empty()) {
    notes.push_back("rlimit: reaching a limit (EMFILE, EAGAIN, SIGXFSZ, SIGXCPU) shows in return values, which "
                    "the supervisor does not see");
  }
  return notes;
}

std::optional<std::string> CapabilityBreak(const policy::Policy& policy, Arch arch, std::string_view syscall,
                                           std::span<const uint64_t> args) {
  if (!policy.caps) return std::nullopt;
  std::optional<policy::CapabilityUse> use = policy::CapabilityNeededBy(arch, syscall, args);
  if (!use) return std::nullopt;
  const std::vector<int>& keep = policy.caps->keep;
  if (std::find(keep.begin(), keep.end(), use->capability) != keep.end()) return std::nullopt;
  return "needs " + policy::CapabilityName(use->capability) + " (" + use->reason + "), which 'caps keep' drops: it " +
         (use->need == policy::CapabilityNeed::kAlways ? "would fail with EPERM" : "may fail with EPERM");
}

}  // namespace sysfence::run
