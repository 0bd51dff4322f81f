// SPDX-License-Identifier: Apache-2.0
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
#include "formats/oci_names.h"
#include "formats/seccomp_order.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using Json = nlohmann::json;
using policy::Comparison;
using policy::CompareOp;
using policy::Condition;

// One profile rule after validation, before the libseccomp resolution.
struct ParsedRule {
  int index = 0;  // position in `syscalls`
  std::string path;
  std::vector<std::string> names;  // known syscall names, unique, in written order
  Action action;
  // The rule's conditions as libseccomp receives them from runc: one chain (ANDed comparisons)
  // normally, one chain per comparison when an argument index repeats (runc then ORs them), no
  // chain when the rule is unconditional.
  std::vector<std::vector<Comparison>> chains;
  bool selected = true;  // chosen by includes/excludes
  std::string comment;
};

// Case-insensitive ASCII equality (Go's encoding/json matches field names that way).
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

class Importer {
 public:
  Importer(std::string_view file, const LoadOptions& options, Diagnostics& diagnostics)
      : file_(file), options_(options), diagnostics_(diagnostics), host_(options.host_arch.value_or(NativeArch())) {}

  std::optional<policy::Policy> Run(std::string_view text) {
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
                                "security-profiles-operator.x-k8s.io/v1beta1");
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

 private:
  SourceSpan At(const std::string& path) const { return SourceSpan{file_, 0, 0, 0, path}; }
  void Error(const std::string& path, std::string message, std::string hint = {}) {
    diagnostics_.Error(At(path), std::move(message), std::move(hint));
  }
  void Warning(const std::string& path, std::string message, std::string hint = {}) {
    diagnostics_.Warning(At(path), std::move(message), std::move(hint));
  }

  bool ParseKernel() {
    if (options_.kernel_version.empty()) return true;
    kernel_ = ParseKernelRelease(options_.kernel_version);
    if (!kernel_) {
      diagnostics_.Error(SourceSpan{file_, 0, 0, 0, ""},
                         "kernel version '" + options_.kernel_version + "' is not of the form MAJOR.MINOR[.PATCH]");
      return false;
    }
    return true;
  }

  // The member `name` of `object`: exact match first, then case-insensitive (as Go decodes).
  static const Json* Field(const Json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    if (auto it = object.find(std::string(name)); it != object.end()) return &*it;
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (EqualsIgnoreCase(it.key(), name)) return &it.value();
    }
    return nullptr;
  }

  // Warns about members that are none of `known` (Docker ignores them; a typo is likely).
  void CheckKeys(const Json& object, const std::string& path, std::initializer_list<std::string_view> known) {
    std::vector<std::string_view> names(known.begin(), known.end());
    for (auto it = object.begin(); it != object.end(); ++it) {
      const std::string& key = it.key();
      if (std::any_of(names.begin(), names.end(), [&](std::string_view k) { return EqualsIgnoreCase(k, key); })) {
        continue;
      }
      Warning(path + "." + key, "unknown field '" + key + "' is ignored", DidYouMean(key, names));
    }
  }

  std::optional<std::string> GetString(const Json& value, const std::string& path) {
    if (!value.is_string()) {
      Error(path, "expected a string, got " + TypeName(value));
      return std::nullopt;
    }
    return value.get<std::string>();
  }

  std::optional<uint64_t> GetUnsigned(const Json& value, const std::string& path) {
    if (value.is_number_unsigned()) return value.get<uint64_t>();
    if (value.is_number_integer()) {
      Error(path, "expected an unsigned integer, got " + std::to_string(value.get<int64_t>()));
    } else if (value.is_number_float()) {
      Error(path, "expected an unsigned integer, got a fractional or too large number");
    } else {
      Error(path, "expected an unsigned integer, got " + TypeName(value));
    }
    return std::nullopt;
  }

  // A list of strings; null and absent are empty.
  std::optional<std::vector<std::string>> GetStringList(const Json* value, const std::string& path) {
    std::vector<std::string> out;
    if (value == nullptr || value->is_null()) return out;
    if (!value->is_array()) {
      Error(path, "expected an array of strings, got " + TypeName(*value));
      return std::nullopt;
    }
    bool ok = true;
    for (size_t i = 0; i < value->size(); ++i) {
      auto s = GetString((*value)[i], path + "[" + std::to_string(i) + "]");
      if (s) out.push_back(*s);
      else ok = false;
    }
    if (!ok) return std::nullopt;
    return out;
  }

  std::optional<uint16_t> GetErrno(const Json& value, const std::string& path) {
    auto number = GetUnsigned(value, path);
    if (!number) return std::nullopt;
    // The range of an errno action's value (core/action.h); runc gives TRACE the same range.
    const ActionTextResult<Action> action =
        ActionWithNumber(ActionKind::kErrno, false, *number, std::to_string(*number));
    if (!action.ok()) {
      Error(path, action.error.message);
      return std::nullopt;
    }
    return action.value->data;
  }

  std::optional<OciActionName> GetActionName(const Json& value, const std::string& path) {
    auto name = GetString(value, path);
    if (!name) return std::nullopt;
    auto action = OciActionFromName(*name);
    if (!action) Error(path, "unknown action '" + *name + "'", DidYouMean(*name, OciActionNames()));
    return action;
  }

  void ParseProfile(const Json& profile, const std::string& base) {
    if (kubernetes_) {
      CheckKeys(profile, base, {"defaultAction", "architectures", "syscalls", "flags", "listenerPath",
                                "listenerMetadata", "baseProfileName", "disabled"});
    } else {
      CheckKeys(profile, base, {"defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags",
                                "listenerPath", "listenerMetadata"});
    }
    policy_.default_span = At(base + ".defaultAction");
    std::optional<uint16_t> default_errno;
    if (const Json* errno_ret = Field(profile, "defaultErrnoRet"); errno_ret != nullptr && !errno_ret->is_null()) {
      default_errno = GetErrno(*errno_ret, base + ".defaultErrnoRet");
    }
    if (const Json* action = Field(profile, "defaultAction")) {
      if (auto name = GetActionName(*action, base + ".defaultAction")) {
        policy_.default_action = OciActionToAction(*name, default_errno);
        if (default_errno && *name != OciActionName::kErrno && *name != OciActionName::kTrace) {
          Warning(base + ".defaultErrnoRet", "defaultErrnoRet only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE; ignored");
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
    if (const Json* base_profile = Field(profile, "baseProfileName"); base_profile != nullptr) {
      Warning(base + ".baseProfileName", "baseProfileName cannot be resolved outside a cluster; the base profile's "
                                         "rules are not included");
    }
    if (const Json* disabled = Field(profile, "disabled"); disabled != nullptr && disabled->is_boolean() && *disabled) {
      Warning(base + ".disabled", "the profile is marked disabled; importing it anyway");
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
    if (diagnostics_.HasErrors()) return;
    Resolve(rules);
  }

  void ParseArches(const Json& profile, const std::string& base) {
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
  std::optional<Arch> ValidateArchName(const std::string& name, const std::string& path) {
    if (name == "SCMP_ARCH_NATIVE") return host_;
    OciArchName arch = OciArchFromName(name);
    if (!arch.known) {
      Error(path, "unknown architecture '" + name + "'", DidYouMean(name, OciArchNames()));
      return std::nullopt;
    }
    return arch.arch;
  }

  void AddArch(const std::string& name, const std::string& path, bool warn_unsupported) {
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

  void ParseFlags(const Json& profile, const std::string& base) {
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

  // Checks includes/excludes and says whether the rule applies (Docker's order of checks).
  bool Selected(const Json& entry, const std::string& path) {
    struct Filter {
      std::vector<std::string> caps, arches;
      std::optional<std::pair<int, int>> min_kernel;
      bool present = false;
    };
    auto parse = [&](std::string_view key) {
      Filter filter;
      const std::string filter_path = path + "." + std::string(key);
      const Json* object = Field(entry, key);
      if (object == nullptr || object->is_null()) return filter;
      if (!object->is_object()) {
        Error(filter_path, "expected an object, got " + TypeName(*object));
        return filter;
      }
      filter.present = true;
      CheckKeys(*object, filter_path, {"caps", "arches", "minKernel"});
      if (auto caps = GetStringList(Field(*object, "caps"), filter_path + ".caps")) {
        filter.caps = *caps;
        for (size_t i = 0; i < caps->size(); ++i) {
          const std::string& cap = (*caps)[i];
          const bool looks_right = cap.size() > 4 && cap.starts_with("CAP_") &&
                                   std::all_of(cap.begin(), cap.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'; });
          if (!looks_right) {
            Warning(filter_path + ".caps[" + std::to_string(i) + "]",
                    "'" + cap + "' does not look like a capability name (CAP_...)");
          }
        }
      }
      if (auto arches = GetStringList(Field(*object, "arches"), filter_path + ".arches")) {
        filter.arches = *arches;
        for (size_t i = 0; i < arches->size(); ++i) {
          if (!IsKnownGoArch((*arches)[i])) {
            Warning(filter_path + ".arches[" + std::to_string(i) + "]",
                    "unknown architecture '" + (*arches)[i] + "' never matches");
          }
        }
      }
      if (const Json* min_kernel = Field(*object, "minKernel"); min_kernel != nullptr && !min_kernel->is_null()) {
        if (auto text = GetString(*min_kernel, filter_path + ".minKernel")) {
          filter.min_kernel = ParseKernelRelease(*text);
          if (!filter.min_kernel) {
            Error(filter_path + ".minKernel", "minKernel '" + *text + "' is not of the form MAJOR.MINOR");
          }
        }
      }
      return filter;
    };
    Filter includes = parse("includes");
    Filter excludes = parse("excludes");
    auto host_listed = [&](const std::vector<std::string>& arches) {
      return std::any_of(arches.begin(), arches.end(), [&](const std::string& a) { return GoArchMatches(a, host_); });
    };
    auto granted = [&](const std::string& cap) { return options_.capabilities.count(cap) > 0; };
    // An unknown kernel counts as newer than any minKernel.
    auto kernel_at_least = [&](const std::pair<int, int>& min) { return !kernel_ || *kernel_ >= min; };
    if (!excludes.arches.empty() && host_listed(excludes.arches)) return false;
    if (!includes.arches.empty() && !host_listed(includes.arches)) return false;
    if (std::any_of(excludes.caps.begin(), excludes.caps.end(), granted)) return false;
    if (excludes.min_kernel && kernel_at_least(*excludes.min_kernel)) return false;
    if (!std::all_of(includes.caps.begin(), includes.caps.end(), granted)) return false;
    if (includes.min_kernel && !kernel_at_least(*includes.min_kernel)) return false;
    return true;
  }

  std::optional<ParsedRule> ParseRule(const Json& entry, const std::string& path, int index) {
    if (!entry.is_object()) {
      Error(path, "expected an object, got " + TypeName(entry));
      return std::nullopt;
    }
    CheckKeys(entry, path, {"names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes"});
    const size_t errors_before = ErrorCount();
    ParsedRule rule;
    rule.index = index;
    rule.path = path;
    // Names.
    const Json* names = Field(entry, "names");
    const Json* name = Field(entry, "name");
    std::vector<std::string> written;
    std::string names_path = path + ".names";
    if (names != nullptr && !names->is_null() && name != nullptr && !name->is_null()) {
      Error(path, "both 'name' and 'names' are given; use 'names'");
    } else if (names != nullptr && !names->is_null()) {
      if (auto list = GetStringList(names, names_path)) written = *list;
    } else if (name != nullptr && !name->is_null()) {
      names_path = path + ".name";
      if (auto single = GetString(*name, names_path)) written = {*single};
    } else {
      Error(path, "missing required field 'names'");
    }
    for (size_t i = 0; i < written.size(); ++i) {
      const std::string& syscall = written[i];
      const std::string name_path = names == nullptr || names->is_null() ? names_path : names_path + "[" + std::to_string(i) + "]";
      if (syscall.empty()) {
        Error(name_path, "empty syscall name");
      } else if (!syscalls::IsKnownName(syscall)) {
        Warning(name_path, "unknown syscall '" + syscall + "' is ignored (as runc does)",
                DidYouMean(syscall, syscalls::AllNames()));
      } else if (std::find(rule.names.begin(), rule.names.end(), syscall) == rule.names.end()) {
        rule.names.push_back(syscall);
      }
    }
    if (written.empty() && ErrorCount() == errors_before) Warning(names_path, "the rule names no syscall");
    // Action.
    std::optional<uint16_t> errno_ret;
    if (const Json* errno_json = Field(entry, "errnoRet"); errno_json != nullptr && !errno_json->is_null()) {
      errno_ret = GetErrno(*errno_json, path + ".errnoRet");
    }
    if (const Json* action = Field(entry, "action")) {
      if (auto action_name = GetActionName(*action, path + ".action")) {
        rule.action = OciActionToAction(*action_name, errno_ret);
        if (errno_ret && *action_name != OciActionName::kErrno && *action_name != OciActionName::kTrace) {
          Warning(path + ".errnoRet", "errnoRet only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE; ignored");
        }
      }
    } else {
      Error(path, "missing required field 'action'");
    }
    // Comment.
    if (const Json* comment = Field(entry, "comment"); comment != nullptr && !comment->is_null()) {
      if (auto text = GetString(*comment, path + ".comment")) rule.comment = *text;
    }
    // Arguments.
    std::vector<Comparison> comparisons;
    if (const Json* args = Field(entry, "args"); args != nullptr && !args->is_null()) {
      if (!args->is_array()) {
        Error(path + ".args", "expected an array, got " + TypeName(*args));
      } else {
        for (size_t i = 0; i < args->size(); ++i) {
          if (auto comparison = ParseArg((*args)[i], path + ".args[" + std::to_string(i) + "]")) {
            comparisons.push_back(*comparison);
          }
        }
      }
    }
    std::set<int> indexes;
    bool repeated = false;
    for (const Comparison& c : comparisons) repeated |= !indexes.insert(c.arg).second;
    if (comparisons.empty()) {
      // unconditional
    } else if (repeated) {
      Warning(path + ".args", "an argument index repeats: runc adds each condition of this rule as a rule of its "
                              "own, so the conditions are ORed, not ANDed");
      for (const Comparison& c : comparisons) rule.chains.push_back({c});
    } else {
      std::sort(comparisons.begin(), comparisons.end(), [](const Comparison& a, const Comparison& b) { return a.arg < b.arg; });
      rule.chains.push_back(comparisons);
    }
    rule.selected = Selected(entry, path);
    if (ErrorCount() != errors_before) return std::nullopt;
    return rule;
  }

  std::optional<Comparison> ParseArg(const Json& arg, const std::string& path) {
    if (!arg.is_object()) {
      Error(path, "expected an object, got " + TypeName(arg));
      return std::nullopt;
    }
    CheckKeys(arg, path, {"index", "value", "valueTwo", "op"});
    const size_t errors_before = ErrorCount();
    Comparison comparison;
    if (const Json* index = Field(arg, "index")) {
      if (auto number = GetUnsigned(*index, path + ".index")) {
        if (*number > 5) Error(path + ".index", "argument index " + std::to_string(*number) + " is out of range 0..5");
        else comparison.arg = static_cast<int>(*number);
      }
    } else {
      Error(path, "missing required field 'index'");
    }
    uint64_t value = 0;
    uint64_t value_two = 0;
    if (const Json* v = Field(arg, "value"); v != nullptr && !v->is_null()) value = GetUnsigned(*v, path + ".value").value_or(0);
    if (const Json* v = Field(arg, "valueTwo"); v != nullptr && !v->is_null()) {
      value_two = GetUnsigned(*v, path + ".valueTwo").value_or(0);
    }
    if (const Json* op = Field(arg, "op")) {
      if (auto op_name = GetString(*op, path + ".op")) {
        if (auto parsed = OciOpFromName(*op_name)) {
          comparison.op = *parsed;
        } else {
          Error(path + ".op", "unknown comparison operator '" + *op_name + "'", DidYouMean(*op_name, OciOpNames()));
        }
      }
    } else {
      Error(path, "missing required field 'op'");
    }
    if (ErrorCount() != errors_before) return std::nullopt;
    if (comparison.op == CompareOp::kMaskedEq) {
      // libseccomp: value is the mask, valueTwo the datum, and the datum is masked first.
      comparison.mask = value;
      comparison.value = value_two & value;
    } else {
      comparison.value = value;
      if (value_two != 0) Warning(path + ".valueTwo", "valueTwo is only used by SCMP_CMP_MASKED_EQ; ignored");
    }
    return comparison;
  }

  size_t ErrorCount() const {
    return diagnostics_.error_count();
  }

  static Condition ChainCondition(const std::vector<Comparison>& chain) {
    if (chain.size() == 1) return Condition{Condition::Kind::kCompare, chain[0], {}};
    Condition all{Condition::Kind::kAnd, {}, {}};
    for (const Comparison& c : chain) all.children.push_back(Condition{Condition::Kind::kCompare, c, {}});
    return all;
  }

  static std::optional<Condition> RuleCondition(const std::vector<std::vector<Comparison>>& chains) {
    if (chains.empty()) return std::nullopt;
    if (chains.size() == 1) return ChainCondition(chains[0]);
    Condition any{Condition::Kind::kOr, {}, {}};
    for (const auto& chain : chains) any.children.push_back(ChainCondition(chain));
    return any;
  }

  // Turns the selected rules into first-match policy rules that decide exactly what libseccomp
  // decides (docs/formats.md, "Rule order").
  void Resolve(const std::vector<ParsedRule>& rules) {
    // Per syscall: the rules that name it, in file order, without those runc skips (same action as
    // the default).
    std::map<std::string, std::vector<const ParsedRule*>> by_syscall;
    for (const ParsedRule& rule : rules) {
      if (!rule.selected || rule.action == policy_.default_action) continue;
      for (const std::string& name : rule.names) by_syscall[name].push_back(&rule);
    }
    // keep[rule index] = names the rule keeps in file order; reordered syscalls get rules of their own.
    std::map<int, std::vector<std::string>> keep;
    std::vector<policy::Rule> reordered_rules;
    for (auto& entry : by_syscall) {
      // Not a structured binding: clang 14 cannot capture those in the lambdas below.
      const std::string& name = entry.first;
      std::vector<const ParsedRule*>& mentions = entry.second;
      auto unconditional = std::find_if(mentions.begin(), mentions.end(), [](const ParsedRule* r) { return r->chains.empty(); });
      if (unconditional != mentions.end()) {
        // libseccomp: the first rule without arguments decides the syscall; every other rule is dropped.
        keep[(*unconditional)->index].push_back(name);
        for (const ParsedRule* other : mentions) {
          if (other != *unconditional && other->action != (*unconditional)->action) {
            Warning(other->path, "libseccomp ignores this rule for '" + name + "': the rule without arguments at " +
                                     (*unconditional)->path + " decides it");
          }
        }
        continue;
      }
      const bool one_action = std::all_of(mentions.begin(), mentions.end(),
                                          [&](const ParsedRule* r) { return r->action == mentions.front()->action; });
      if (one_action) {
        for (const ParsedRule* rule : mentions) keep[rule->index].push_back(name);
        continue;
      }
      // Conditional rules with different actions: libseccomp tries them in its own order.
      std::vector<SeccompChain> chains;
      for (const ParsedRule* rule : mentions) {
        for (const auto& chain : rule->chains) chains.push_back(SeccompChain{chain, rule->action, rule->index});
      }
      for (size_t i = 0; i < chains.size(); ++i) {
        for (size_t j = i + 1; j < chains.size(); ++j) {
          if (chains[i].action != chains[j].action && LibseccompRejects(chains[i].comparisons, chains[j].comparisons)) {
            const ParsedRule& later = *FindRule(rules, chains[j].rule_index);
            const ParsedRule& earlier = *FindRule(rules, chains[i].rule_index);
            Error(later.path, "for '" + name + "' this rule conflicts with " + earlier.path +
                                  ": same conditions, different action; libseccomp refuses the profile (EEXIST)");
          }
        }
      }
      SortLikeLibseccomp(chains);
      for (const SeccompChain& chain : chains) {
        const ParsedRule& source = *FindRule(rules, chain.rule_index);
        policy::Rule rule;
        rule.action = chain.action;
        rule.targets = {name};
        rule.condition = ChainCondition(chain.comparisons);
        rule.comment = source.comment;
        rule.span = At(source.path);
        reordered_rules.push_back(std::move(rule));
      }
    }
    for (const ParsedRule& parsed : rules) {
      auto it = keep.find(parsed.index);
      if (it == keep.end()) continue;
      policy::Rule rule;
      rule.action = parsed.action;
      for (const std::string& name : parsed.names) {
        if (std::find(it->second.begin(), it->second.end(), name) != it->second.end()) rule.targets.push_back(name);
      }
      rule.condition = RuleCondition(parsed.chains);
      rule.comment = parsed.comment;
      rule.span = At(parsed.path);
      policy_.rules.push_back(std::move(rule));
    }
    for (policy::Rule& rule : reordered_rules) policy_.rules.push_back(std::move(rule));
  }

  static const ParsedRule* FindRule(const std::vector<ParsedRule>& rules, int index) {
    for (const ParsedRule& rule : rules) {
      if (rule.index == index) return &rule;
    }
    return nullptr;
  }

  std::string file_;
  const LoadOptions& options_;
  Diagnostics& diagnostics_;
  Arch host_;
  std::optional<std::pair<int, int>> kernel_;
  bool kubernetes_ = false;
  policy::Policy policy_;
};

}  // namespace

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
  Importer importer(file_name, options, diagnostics);
  return importer.Run(text);
}

}  // namespace sysfence::formats
