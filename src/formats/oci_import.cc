// SPDX-License-Identifier: Apache-2.0
// The OCI/Docker importer: the document (JSON, architectures, flags, kernel); the rules are in
// oci_import_rules.cc.
#include "formats/oci_import.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/action.h"
#include "core/suggest.h"
#include "formats/json_reader.h"
#include "formats/oci_import_internal.h"
#include "formats/oci_names.h"
#include "formats/seccomp_order.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace oci_import_internal {
namespace {

// Deepest nesting of arrays/objects in `text` (strings skipped), stopping early past `limit`.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}') --depth;
    if (deepest > limit) break;
  }
  return deepest;
}

// Line and column (1-based) of byte `offset` in `text`.
std::pair<uint32_t, uint32_t> LineColumn(std::string_view text, size_t offset) {
  uint32_t line = 1;
  uint32_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_float: return "a fractional number";
    case Json::value_t::number_integer: return "a negative number";
    case Json::value_t::number_unsigned: return "a number";
    default: return "an unexpected value";
  }
}

std::optional<policy::Policy> Importer::Run(std::string_view text) {
  if (NestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    Error("$", "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return std::nullopt;
  }
  JsonReadError failure;
  std::optional<Json> parsed = ReadJson(text, &failure, kMaxJsonDepth);
  if (!parsed) {
    auto [line, column] = LineColumn(text, failure.offset);
    SourceSpan span{file_, line, column, 1, ""};
    // Syntax errors point at a character; a value out of range is better named by its path.
    if (failure.kind == JsonReadError::Kind::kRange) {
      diagnostics_.Error(span, failure.json_path + ": " + failure.reason);
    } else {
      diagnostics_.Error(span, "malformed JSON at byte " + std::to_string(failure.offset) + ": " + failure.reason);
    }
    return std::nullopt;
  }
  Json root = std::move(*parsed);
  if (!ParseKernel()) return std::nullopt;
  if (!root.is_object()) {
    Error("$", "a seccomp profile must be a JSON object, not " + TypeName(root));
    return std::nullopt;
  }
  const Json* profile = &root;
  std::string base = "$";
  if (const Json* kind = Field(root, "kind"); kind != nullptr && kind->is_string() && *kind == "SeccompProfile") {
    CheckKeys(root, "$", {"apiVersion", "kind", "metadata", "spec", "status"});
    if (const Json* api = Field(root, "apiVersion"); api == nullptr || !api->is_string() ||
                                                    api->get<std::string>().find("x-k8s.io") == std::string::npos) {
      Warning("$.apiVersion", "a SeccompProfile is expected to have apiVersion "
                              "security-profiles-operator.x-k8s.io/v1 (or v1beta1)");
    }
    profile = Field(root, "spec");
    base = "$.spec";
    if (profile == nullptr || !profile->is_object()) {
      Error(base, profile == nullptr ? "missing 'spec'" : "expected an object, got " + TypeName(*profile));
      return std::nullopt;
    }
    kubernetes_ = true;
  } else if (Field(root, "ociVersion") != nullptr || Field(root, "linux") != nullptr) {
    const Json* linux_section = Field(root, "linux");
    profile = linux_section != nullptr && linux_section->is_object() ? Field(*linux_section, "seccomp") : nullptr;
    base = "$.linux.seccomp";
    if (profile == nullptr || !profile->is_object()) {
      Error(base, "this OCI runtime config has no linux.seccomp object");
      return std::nullopt;
    }
  }
  ParseProfile(*profile, base);
  if (diagnostics_.HasErrors()) return std::nullopt;
  return std::move(policy_);
}

bool Importer::ParseKernel() {
  if (options_.kernel_version.empty()) return true;
  kernel_ = ParseKernelRelease(options_.kernel_version);
  if (!kernel_) {
    diagnostics_.Error(SourceSpan{file_, 0, 0, 0, ""},
                       "kernel version '" + options_.kernel_version + "' is not of the form MAJOR.MINOR[.PATCH]");
    return false;
  }
  return true;
}

void Importer::ParseProfile(const Json& profile, const std::string& base) {
  if (kubernetes_) {
    CheckKeys(profile, base, {"defaultAction", "architectures", "syscalls", "flags", "listenerPath",
                              "listenerMetadata", "baseProfileName", "disabled", "state"});
  } else {
    CheckKeys(profile, base, {"defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags",
                              "listenerPath", "listenerMetadata"});
  }
  policy_.default_span = At(base + ".defaultAction");
  std::optional<uint64_t> default_errno;
  bool default_errno_ok = true;
  if (const Json* errno_ret = Field(profile, "defaultErrnoRet"); errno_ret != nullptr && !errno_ret->is_null()) {
    default_errno = GetUnsigned(*errno_ret, base + ".defaultErrnoRet");
    default_errno_ok = default_errno.has_value();
  }
  if (const Json* action = Field(profile, "defaultAction")) {
    if (auto name = GetActionName(*action, base + ".defaultAction"); name && default_errno_ok) {
      if (auto resolved = ActionWithReturn(*name, default_errno, base + ".defaultErrnoRet", "defaultErrnoRet")) {
        policy_.default_action = *resolved;
      }
    }
  } else {
    Error(base, "missing required field 'defaultAction'");
  }
  ParseArches(profile, base);
  ParseFlags(profile, base);
  if (const Json* listener = Field(profile, "listenerPath"); listener != nullptr && !listener->is_null()) {
    if (auto path = GetString(*listener, base + ".listenerPath"); path && !path->empty()) {
      Warning(base + ".listenerPath",
              "listenerPath is not supported: sysfence's runner receives SCMP_ACT_NOTIFY events itself; ignored");
    }
  }
  if (const Json* metadata = Field(profile, "listenerMetadata"); metadata != nullptr && !metadata->is_null()) {
    if (auto text = GetString(*metadata, base + ".listenerMetadata"); text && !text->empty()) {
      Warning(base + ".listenerMetadata", "listenerMetadata is not supported; ignored");
    }
  }
  if (const Json* disabled = Field(profile, "disabled"); disabled != nullptr && disabled->is_boolean() && *disabled) {
    Warning(base + ".disabled", "the profile is marked disabled; importing it anyway");
  }
  if (const Json* state = Field(profile, "state"); state != nullptr && state->is_string() && *state == "Disabled") {
    Warning(base + ".state", "the profile's state is Disabled (the operator skips it); importing it anyway");
  }
  std::vector<ParsedRule> rules;
  if (const Json* syscalls = Field(profile, "syscalls"); syscalls != nullptr && !syscalls->is_null()) {
    if (!syscalls->is_array()) {
      Error(base + ".syscalls", "expected an array, got " + TypeName(*syscalls));
    } else {
      for (size_t i = 0; i < syscalls->size(); ++i) {
        if (auto rule = ParseRule((*syscalls)[i], base + ".syscalls[" + std::to_string(i) + "]", static_cast<int>(i))) {
          rules.push_back(std::move(*rule));
        }
      }
    }
  }
  if (const Json* base_profile = Field(profile, "baseProfileName"); base_profile != nullptr) {
    AddBaseProfileRule(*base_profile, base + ".baseProfileName", rules);
  }
  if (diagnostics_.HasErrors()) return;
  Resolve(rules);
}

void Importer::ParseArches(const Json& profile, const std::string& base) {
  const Json* architectures = Field(profile, "architectures");
  const Json* arch_map = Field(profile, "archMap");
  if (architectures != nullptr && !architectures->is_null() && architectures->size() > 0 && arch_map != nullptr &&
      !arch_map->is_null() && arch_map->size() > 0) {
    Error(base + ".archMap", "both 'architectures' and 'archMap' are given; use one of them (Docker refuses both)");
    return;
  }
  policy_.arches = {host_};
  if (architectures != nullptr && !architectures->is_null()) {
    const std::string path = base + ".architectures";
    auto names = GetStringList(architectures, path);
    if (!names) return;
    for (size_t i = 0; i < names->size(); ++i) AddArch((*names)[i], path + "[" + std::to_string(i) + "]", true);
  }
  if (arch_map != nullptr && !arch_map->is_null()) {
    const std::string path = base + ".archMap";
    if (!arch_map->is_array()) {
      Error(path, "expected an array, got " + TypeName(*arch_map));
      return;
    }
    for (size_t i = 0; i < arch_map->size(); ++i) {
      const std::string entry_path = path + "[" + std::to_string(i) + "]";
      const Json& entry = (*arch_map)[i];
      if (!entry.is_object()) {
        Error(entry_path, "expected an object, got " + TypeName(entry));
        continue;
      }
      CheckKeys(entry, entry_path, {"architecture", "subArchitectures"});
      const Json* main_arch = Field(entry, "architecture");
      if (main_arch == nullptr) {
        Error(entry_path, "missing required field 'architecture'");
        continue;
      }
      auto main_name = GetString(*main_arch, entry_path + ".architecture");
      auto subs = GetStringList(Field(entry, "subArchitectures"), entry_path + ".subArchitectures");
      if (!main_name || !subs) continue;
      const bool is_host = ValidateArchName(*main_name, entry_path + ".architecture") == host_;
      for (size_t j = 0; j < subs->size(); ++j) {
        const std::string sub_path = entry_path + ".subArchitectures[" + std::to_string(j) + "]";
        if (is_host) {
          AddArch((*subs)[j], sub_path, true);
        } else {
          ValidateArchName((*subs)[j], sub_path);
        }
      }
    }
  }
}

// Checks a SCMP_ARCH_* name; returns the sysfence ABI it stands for, if any.
std::optional<Arch> Importer::ValidateArchName(const std::string& name, const std::string& path) {
  if (name == "SCMP_ARCH_NATIVE") return host_;
  OciArchName arch = OciArchFromName(name);
  if (!arch.known) {
    Error(path, "unknown architecture '" + name + "'", DidYouMean(name, OciArchNames()));
    return std::nullopt;
  }
  return arch.arch;
}

void Importer::AddArch(const std::string& name, const std::string& path, bool warn_unsupported) {
  OciArchName info = OciArchFromName(name);
  std::optional<Arch> arch = ValidateArchName(name, path);
  if (!arch) {
    if (info.known && warn_unsupported) {
      Warning(path, "architecture '" + name + "' is not supported by sysfence; its syscalls get the bad-arch action");
    }
    return;
  }
  if (std::find(policy_.arches.begin(), policy_.arches.end(), *arch) == policy_.arches.end()) {
    policy_.arches.push_back(*arch);
  }
}

void Importer::ParseFlags(const Json& profile, const std::string& base) {
  const std::string path = base + ".flags";
  auto flags = GetStringList(Field(profile, "flags"), path);
  if (!flags) return;
  for (size_t i = 0; i < flags->size(); ++i) {
    const std::string& flag = (*flags)[i];
    auto known = OciFilterFlags();
    if (std::find(known.begin(), known.end(), flag) == known.end()) {
      Error(path + "[" + std::to_string(i) + "]", "unknown seccomp filter flag '" + flag + "'",
            DidYouMean(flag, known));
      continue;
    }
    policy_.flags.push_back(flag);
  }
}

}  // namespace oci_import_internal

std::optional<std::pair<int, int>> ParseKernelRelease(std::string_view release) {
  int numbers[2] = {0, 0};
  const char* p = release.data();
  const char* end = release.data() + release.size();
  for (int i = 0; i < 2; ++i) {
    if (i == 1) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    auto [next, ec] = std::from_chars(p, end, numbers[i]);
    if (ec != std::errc() || next == p) return std::nullopt;
    p = next;
  }
  return std::make_pair(numbers[0], numbers[1]);
}

std::optional<policy::Policy> ImportOciProfile(std::string_view text, std::string_view file_name,
                                               const LoadOptions& options, Diagnostics& diagnostics) {
  oci_import_internal::Importer importer(file_name, options, diagnostics);
  return importer.Run(text);
}

}  // namespace sysfence::formats
