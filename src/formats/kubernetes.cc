// SPDX-License-Identifier: Apache-2.0
#include "formats/kubernetes.h"
#include "formats/kubernetes_notes.h"

#include <nlohmann/json.hpp>

#include <cctype>

#include "formats/oci_export.h"
#include "formats/oci_names.h"

namespace sysfence::formats {
namespace {

std::string ObjectName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  while (!out.empty() && out.front() == '-') out.erase(out.begin());
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) out = "sysfence-profile";
  return out.substr(0, 253);
}

bool HasData(const Action& action) {
  return action.kind == ActionKind::kErrno || action.kind == ActionKind::kTrace;
}

std::string Yaml(const OciProfile& profile, const std::string& name) {
  std::string out;
  out += "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n";
  out += "kind: SeccompProfile\n";
  out += "metadata:\n  name: " + name + "\n";
  out += "spec:\n";
  out += "  defaultAction: " + std::string(OciActionSpelling(profile.default_action)) + "\n";
  out += "  architectures:\n";
  for (Arch arch : profile.arches) out += "  - " + std::string(OciArchSpelling(arch)) + "\n";
  if (!profile.flags.empty()) {
    out += "  flags:\n";
    for (const std::string& flag : profile.flags) out += "  - " + flag + "\n";
  }
  if (profile.rules.empty()) {
    out += "  syscalls: []\n";
    return out;
  }
  out += "  syscalls:\n";
  for (const OciRule& rule : profile.rules) {
    out += "  - action: " + std::string(OciActionSpelling(rule.action)) + "\n";
    if (HasData(rule.action)) out += "    errnoRet: " + std::to_string(rule.action.data) + "\n";
    out += "    names:\n";
    for (const std::string& syscall : rule.names) out += "    - " + syscall + "\n";
    if (!rule.args.empty()) {
      out += "    args:\n";
      for (const OciArg& arg : rule.args) {
        out += "    - index: " + std::to_string(arg.index) + "\n";
        out += "      value: " + std::to_string(arg.value) + "\n";
        if (arg.op == policy::CompareOp::kMaskedEq) out += "      valueTwo: " + std::to_string(arg.value_two) + "\n";
        out += "      op: " + std::string(OciOpName(arg.op)) + "\n";
      }
    }
  }
  return out;
}

std::string Json(const OciProfile& profile, const std::string& name) {
  nlohmann::ordered_json root;
  root["apiVersion"] = "security-profiles-operator.x-k8s.io/v1beta1";
  root["kind"] = "SeccompProfile";
  root["metadata"]["name"] = name;
  nlohmann::ordered_json spec;
  spec["defaultAction"] = std::string(OciActionSpelling(profile.default_action));
  auto arches = nlohmann::ordered_json::array();
  for (Arch arch : profile.arches) arches.push_back(std::string(OciArchSpelling(arch)));
  spec["architectures"] = arches;
  if (!profile.flags.empty()) spec["flags"] = profile.flags;
  auto syscalls = nlohmann::ordered_json::array();
  for (const OciRule& rule : profile.rules) {
    nlohmann::ordered_json entry;
    entry["action"] = std::string(OciActionSpelling(rule.action));
    if (HasData(rule.action)) entry["errnoRet"] = rule.action.data;
    entry["names"] = rule.names;
    if (!rule.args.empty()) {
      auto args = nlohmann::ordered_json::array();
      for (const OciArg& arg : rule.args) {
        nlohmann::ordered_json a;
        a["index"] = arg.index;
        a["value"] = arg.value;
        if (arg.op == policy::CompareOp::kMaskedEq) a["valueTwo"] = arg.value_two;
        a["op"] = std::string(OciOpName(arg.op));
        args.push_back(a);
      }
      entry["args"] = args;
    }
    syscalls.push_back(entry);
  }
  spec["syscalls"] = syscalls;
  root["spec"] = spec;
  return root.dump(2) + "\n";
}

}  // namespace

Result<std::string> ExportKubernetesProfile(const policy::Policy& policy, std::string_view name,
                                            KubernetesSyntax syntax, Diagnostics& diagnostics) {
  auto profile = LowerToOci(policy, diagnostics);
  if (!profile.ok()) return profile.error();
  if (HasData(profile->default_action) && profile->default_action.data != 1) {
    diagnostics.Warning({}, "a SeccompProfile has no defaultErrnoRet: the default '" +
                                profile->default_action.ToString() + "' becomes errno EPERM under the operator");
  }
  for (const std::string& note : SeccompProfileCannotCarry(policy)) diagnostics.Warning({}, note);
  const std::string object_name = ObjectName(name);
  return syntax == KubernetesSyntax::kYaml ? Yaml(*profile, object_name) : Json(*profile, object_name);
}

}  // namespace sysfence::formats
