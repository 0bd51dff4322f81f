// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_config.h"

#include <nlohmann/json.hpp>

#include "formats/oci_export.h"
#include "policy/privileges.h"

namespace sysfence::formats {
namespace {

// The runtime spec's namespace type for an `unshare` word.
std::string_view OciNamespaceType(policy::Namespace ns) {
  switch (ns) {
    case policy::kNsNet: return "network";
    case policy::kNsIpc: return "ipc";
    case policy::kNsUts: return "uts";
    case policy::kNsPid: return "pid";
    case policy::kNsMount: return "mount";
    case policy::kNsUser: return "user";
    case policy::kNsCgroup: return "cgroup";
  }
  return "";
}

void AddCapabilities(const policy::CapsRule& caps, nlohmann::ordered_json& process) {
  auto names = nlohmann::ordered_json::array();
  for (int number : caps.keep) names.push_back(policy::CapabilityName(number));
  for (const char* set : {"bounding", "permitted", "effective", "inheritable", "ambient"}) {
    process["capabilities"][set] = names;
  }
}

void AddNamespaces(const policy::UnshareRule& unshare, nlohmann::ordered_json& linux_part, Diagnostics& diagnostics) {
  auto namespaces = nlohmann::ordered_json::array();
  for (const policy::NamespaceEntry& entry : policy::AllNamespaces()) {
    if ((unshare.namespaces & entry.ns) == 0) continue;
    nlohmann::ordered_json one;
    one["type"] = std::string(OciNamespaceType(entry.ns));
    namespaces.push_back(one);
  }
  linux_part["namespaces"] = namespaces;
  if ((unshare.namespaces & policy::kNsUser) != 0) {
    diagnostics.Warning(unshare.span, "unshare user: the configuration also needs linux.uidMappings and "
                                      "linux.gidMappings, which a policy does not give");
  }
}

void AddRlimits(const std::vector<policy::RlimitRule>& rlimits, nlohmann::ordered_json& process) {
  auto list = nlohmann::ordered_json::array();
  for (const policy::RlimitRule& rule : rlimits) {
    nlohmann::ordered_json one;
    one["type"] = "RLIMIT_" + std::string(policy::ResourceInfo(rule.resource).name);
    one["soft"] = rule.soft;
    one["hard"] = rule.hard;
    list.push_back(one);
  }
  process["rlimits"] = list;
}

}  // namespace

Result<std::string> ExportOciConfig(const policy::Policy& policy, Diagnostics& diagnostics) {
  // LowerToOci warns about fs/net rules itself (the runtime spec has no place for them either).
  auto profile = LowerToOci(policy, diagnostics);
  if (!profile.ok()) return profile.error();
  nlohmann::ordered_json root;
  nlohmann::ordered_json process = nlohmann::ordered_json::object();
  if (policy.caps) AddCapabilities(*policy.caps, process);
  if (!policy.rlimits.empty()) AddRlimits(policy.rlimits, process);
  if (!process.empty()) root["process"] = process;
  nlohmann::ordered_json linux_part;
  if (policy.unshare) AddNamespaces(*policy.unshare, linux_part, diagnostics);
  linux_part["seccomp"] = nlohmann::ordered_json::parse(WriteDockerJson(*profile));
  root["linux"] = linux_part;
  return root.dump(2) + "\n";
}

}  // namespace sysfence::formats
