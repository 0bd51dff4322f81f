// SPDX-License-Identifier: Apache-2.0
#include "formats/systemd_privileges.h"

#include <string>
#include <vector>

#include "policy/privileges.h"

namespace sysfence::formats::systemd {
namespace {

void WriteCapabilities(const policy::CapsRule& caps, DropInText& out) {
  out.Blank();
  out.Comment("caps keep: the bounding set (it also bounds the effective, permitted and inheritable sets), and");
  out.Comment("the ambient set, so that a service running as another User= keeps them too.");
  std::vector<std::string> names;
  for (int number : caps.keep) names.push_back(policy::CapabilityName(number));
  if (names.empty()) {
    out.Comment("caps keep none: an empty value empties the bounding set.");
    out.Set("CapabilityBoundingSet", "");
    return;
  }
  out.List("CapabilityBoundingSet", "", names);
  out.List("AmbientCapabilities", "", names);
}

void WriteNamespaces(const policy::UnshareRule& unshare, DropInText& out) {
  out.Blank();
  out.Comment("unshare: new namespaces for the service.");
  const uint32_t ns = unshare.namespaces;
  if ((ns & policy::kNsNet) != 0) out.Set("PrivateNetwork", "yes");
  if ((ns & policy::kNsIpc) != 0) out.Set("PrivateIPC", "yes");
  if ((ns & policy::kNsUts) != 0) {
    out.Comment("ProtectHostname= also forbids changing the host name, which `unshare uts` allows in the new namespace.");
    out.Set("ProtectHostname", "yes");
  }
  if ((ns & policy::kNsUser) != 0) {
    out.Comment("PrivateUsers= maps only root and the service's user; every other id becomes nobody.");
    out.Set("PrivateUsers", "yes");
  }
  if ((ns & policy::kNsMount) != 0) out.Set("PrivateMounts", "yes");
  if ((ns & policy::kNsPid) != 0) {
    out.Warn(unshare.span, "unshare pid: systemd 252 has no setting for a new PID namespace (newer versions have "
                           "PrivatePIDs=); the service shares the host's");
  }
  if ((ns & policy::kNsCgroup) != 0) {
    out.Warn(unshare.span, "unshare cgroup: systemd 252 has no setting for a new cgroup namespace; the service "
                           "shares the host's");
  }
}

std::string LimitValue(uint64_t value) {
  return value == policy::kRlimitUnlimited ? "infinity" : std::to_string(value);
}

void WriteLimits(const std::vector<policy::RlimitRule>& rlimits, DropInText& out) {
  out.Blank();
  out.Comment("rlimit: soft[:hard] limits, in the kernel's units (bytes, seconds, microseconds for RTTIME).");
  for (const policy::RlimitRule& rule : rlimits) {
    const std::string key = "Limit" + std::string(policy::ResourceInfo(rule.resource).name);
    out.Set(key, rule.soft == rule.hard ? LimitValue(rule.soft) : LimitValue(rule.soft) + ":" + LimitValue(rule.hard));
  }
}

}  // namespace

void WritePrivileges(const policy::Policy& policy, DropInText& out) {
  if (policy.caps) WriteCapabilities(*policy.caps, out);
  if (policy.unshare) WriteNamespaces(*policy.unshare, out);
  if (!policy.rlimits.empty()) WriteLimits(policy.rlimits, out);
}

}  // namespace sysfence::formats::systemd
