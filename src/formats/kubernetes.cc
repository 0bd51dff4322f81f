// SPDX-License-Identifier: Apache-2.0
#include "formats/kubernetes.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdint>
#include <limits>

#include "formats/kubernetes_notes.h"
#include "formats/oci_export.h"
#include "formats/oci_names.h"

namespace sysfence::formats {
namespace {

using OrderedJson = nlohmann::ordered_json;

bool HasData(const Action& action) {
  return action.kind == ActionKind::kErrno || action.kind == ActionKind::kTrace;
}

// The CRD types argument values as int64 (minimum 0): larger ones cannot be written.
Result<void> CheckValuesFitInt64(const OciProfile& profile) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (const OciRule& rule : profile.rules) {
    for (const OciArg& arg : rule.args) {
      if (arg.value > kMax || arg.value_two > kMax) {
        return MakeError(ErrorCode::kUnsupported,
                         "'" + rule.names.front() + "': argument " + std::to_string(arg.index) + " is compared with " +
                             std::to_string(arg.value > kMax ? arg.value : arg.value_two) +
                             ", which the SeccompProfile CRD cannot hold (its values are int64); use the OCI "
                             "JSON export (--format json) and a localhost profile instead");
      }
    }
  }
  return Ok();
}

OrderedJson RuleJson(const OciRule& rule) {
  OrderedJson entry;
  entry["action"] = std::string(OciActionSpelling(rule.action));
  if (HasData(rule.action)) entry["errnoRet"] = rule.action.data;
  entry["names"] = rule.names;
  if (!rule.args.empty()) {
    auto args = OrderedJson::array();
    for (const OciArg& arg : rule.args) {
      OrderedJson a;
      a["index"] = arg.index;
      a["value"] = arg.value;
      if (arg.op == policy::CompareOp::kMaskedEq) a["valueTwo"] = arg.value_two;
      a["op"] = std::string(OciOpName(arg.op));
      args.push_back(a);
    }
    entry["args"] = args;
  }
  return entry;
}

OrderedJson ObjectJson(const OciProfile& profile, const std::string& name, const KubernetesExportOptions& options) {
  OrderedJson root;
  root["apiVersion"] = std::string(SeccompProfileApiVersion(options.version));
  root["kind"] = "SeccompProfile";
  root["metadata"]["name"] = name;
  if (!options.labels.empty()) root["metadata"]["labels"] = options.labels;
  if (!options.annotations.empty()) root["metadata"]["annotations"] = options.annotations;
  OrderedJson spec;
  spec["defaultAction"] = std::string(OciActionSpelling(profile.default_action));
  auto arches = OrderedJson::array();
  for (Arch arch : profile.arches) arches.push_back(std::string(OciArchSpelling(arch)));
  spec["architectures"] = arches;
  if (!profile.flags.empty()) spec["flags"] = profile.flags;
  auto syscalls = OrderedJson::array();
  for (const OciRule& rule : profile.rules) syscalls.push_back(RuleJson(rule));
  spec["syscalls"] = syscalls;
  root["spec"] = spec;
  return root;
}

// Whether `text` reads back as the same string when written plain: no YAML 1.1 boolean or null
// word, nothing a number could be, only the characters of names, paths and enum values.
bool PlainIsSafe(const std::string& text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) return false;
  std::string lower;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_' && c != '-' && c != '.' && c != '/') return false;
    lower += static_cast<char>(std::tolower(u));
  }
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf"}) {
    if (lower == word) return false;
  }
  return true;
}

void EmitYaml(YAML::Emitter& out, const OrderedJson& value, const std::vector<std::string>* item_comments);

void EmitMap(YAML::Emitter& out, const OrderedJson& object, const std::vector<std::string>* syscall_comments) {
  out << YAML::BeginMap;
  for (auto it = object.begin(); it != object.end(); ++it) {
    out << YAML::Key << it.key() << YAML::Value;
    EmitYaml(out, it.value(), it.key() == "syscalls" ? syscall_comments : nullptr);
  }
  out << YAML::EndMap;
}

// Writes `value`; a sequence's items get the comments in `item_comments` (one per item, "" none).
void EmitYaml(YAML::Emitter& out, const OrderedJson& value, const std::vector<std::string>* item_comments) {
  if (value.is_object()) {
    // Only spec holds syscalls; the comments travel down to it.
    EmitMap(out, value, item_comments);
  } else if (value.is_array()) {
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (size_t i = 0; i < value.size(); ++i) {
      if (item_comments != nullptr && i < item_comments->size() && !(*item_comments)[i].empty()) {
        // yaml-cpp writes a comment at the end of the current line: start a line of its own, or
        // it would trail the previous entry and seem to describe it.
        if (i > 0) out << YAML::Newline;
        out << YAML::Comment((*item_comments)[i]);
      }
      EmitYaml(out, value[i], nullptr);
    }
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (PlainIsSafe(text)) out << text;
    else out << YAML::DoubleQuoted << text;
  } else if (value.is_number_unsigned()) {
    out << value.get<uint64_t>();
  } else if (value.is_number_integer()) {
    out << value.get<int64_t>();
  } else if (value.is_boolean()) {
    out << value.get<bool>();
  } else {
    out << YAML::Null;
  }
}

// One comment per syscalls entry: the rule's comment on one line.
std::vector<std::string> SyscallComments(const OciProfile& profile) {
  std::vector<std::string> out;
  for (const OciRule& rule : profile.rules) {
    std::string line;
    for (char c : rule.comment) {
      if (c == '\n') line += "; ";
      else line += c;
    }
    out.push_back(line);
  }
  return out;
}

std::string Yaml(const OciProfile& profile, const OrderedJson& object, const KubernetesExportOptions& options) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  for (const std::string& line : options.header_comments) out << YAML::Comment(line) << YAML::Newline;
  const std::vector<std::string> comments = SyscallComments(profile);
  // The comments are passed to the top map and handed to the `syscalls` key inside `spec`.
  out << YAML::BeginMap;
  for (auto it = object.begin(); it != object.end(); ++it) {
    out << YAML::Key << it.key() << YAML::Value;
    EmitYaml(out, it.value(), it.key() == "spec" ? &comments : nullptr);
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

std::string_view SeccompProfileApiVersion(SeccompProfileVersion version) {
  return version == SeccompProfileVersion::kV1 ? "security-profiles-operator.x-k8s.io/v1"
                                               : "security-profiles-operator.x-k8s.io/v1beta1";
}

std::string KubernetesObjectName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  while (!out.empty() && out.front() == '-') out.erase(out.begin());
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) out = "sysfence-profile";
  out = out.substr(0, 253);
  while (out.back() == '-') out.pop_back();
  return out;
}

Result<std::string> ExportKubernetesProfile(const policy::Policy& policy, std::string_view name,
                                            const KubernetesExportOptions& options, Diagnostics& diagnostics) {
  auto profile = LowerToOci(policy, diagnostics);
  if (!profile.ok()) return profile.error();
  if (auto fits = CheckValuesFitInt64(*profile); !fits.ok()) return fits.error();
  if (HasData(profile->default_action) && profile->default_action.data != 1) {
    diagnostics.Warning({}, "a SeccompProfile has no defaultErrnoRet: the default '" +
                                profile->default_action.ToString() + "' becomes errno EPERM under the operator");
  }
  for (const std::string& note : SeccompProfileCannotCarry(policy)) diagnostics.Warning({}, note);
  const OrderedJson object = ObjectJson(*profile, KubernetesObjectName(name), options);
  if (options.syntax == KubernetesSyntax::kJson) return object.dump(2) + "\n";
  return Yaml(*profile, object, options);
}

Result<std::string> ExportKubernetesProfile(const policy::Policy& policy, std::string_view name,
                                            KubernetesSyntax syntax, Diagnostics& diagnostics) {
  KubernetesExportOptions options;
  options.syntax = syntax;
  return ExportKubernetesProfile(policy, name, options, diagnostics);
}

}  // namespace sysfence::formats
