// SPDX-License-Identifier: Apache-2.0
// The OCI/Docker importer's insides, shared by its two files: oci_import.cc (the document: JSON,
// architectures, flags, kernel) and oci_import_rules.cc (syscall rules, their arguments and
// libseccomp's resolution of them). Not for use outside them.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/action.h"
#include "core/diagnostic.h"
#include "core/suggest.h"
#include "formats/load.h"
#include "formats/oci_import.h"
#include "formats/oci_names.h"
#include "policy/policy.h"

namespace sysfence::formats::oci_import_internal {

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

/// Case-insensitive ASCII equality (Go's encoding/json matches field names that way).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

/// How a JSON value's type is named in messages ("an object", "a negative number").
std::string TypeName(const Json& value);

/// Reads one profile into a Policy, collecting diagnostics with JSON paths.
class Importer {
 public:
  Importer(std::string_view file, const LoadOptions& options, Diagnostics& diagnostics)
      : file_(file), options_(options), diagnostics_(diagnostics), host_(options.host_arch.value_or(NativeArch())) {}

  std::optional<policy::Policy> Run(std::string_view text);

 private:
  SourceSpan At(const std::string& path) const { return SourceSpan{file_, 0, 0, 0, path}; }
  void Error(const std::string& path, std::string message, std::string hint = {}) {
    diagnostics_.Error(At(path), std::move(message), std::move(hint));
  }
  void Warning(const std::string& path, std::string message, std::string hint = {}) {
    diagnostics_.Warning(At(path), std::move(message), std::move(hint));
  }

  bool ParseKernel();
  // baseProfileName: a bundled runtime base (formats/base_profiles.h) becomes one allow rule after
  // the profile's own (oci_import_base.cc); an unknown name is an error.
  void AddBaseProfileRule(const Json& name, const std::string& path, std::vector<ParsedRule>& rules);

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

  // The action `name` stands for with the errnoRet (defaultErrnoRet) value `data` read at `path`,
  // each action with the range its data has: SCMP_ACT_ERRNO an errno 1..4095 (the kernel clamps
  // larger ones to 4095; a policy's errno is 1..4095), SCMP_ACT_TRACE the 16-bit value the tracer
  // reads (SECCOMP_RET_DATA, 0..65535; libseccomp and runc pass all of it). Other actions carry no
  // data: a value is warned about and ignored. Without a value both default to EPERM, as runc.
  std::optional<Action> ActionWithReturn(OciActionName name, std::optional<uint64_t> data, const std::string& path,
                                         std::string_view field) {
    if (!data) return OciActionToAction(name, std::nullopt);
    if (name != OciActionName::kErrno && name != OciActionName::kTrace) {
      Warning(path, std::string(field) + " only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE; ignored");
      return OciActionToAction(name, std::nullopt);
    }
    const ActionKind kind = name == OciActionName::kErrno ? ActionKind::kErrno : ActionKind::kTrace;
    const ActionTextResult<Action> action = ActionWithNumber(kind, false, *data, std::to_string(*data));
    if (!action.ok()) {
      Error(path, action.error.message +
                      (kind == ActionKind::kErrno ? " (SCMP_ACT_ERRNO takes an errno)"
                                                  : " (SCMP_ACT_TRACE passes a 16-bit value to the tracer)"));
      return std::nullopt;
    }
    return *action.value;
  }

  std::optional<OciActionName> GetActionName(const Json& value, const std::string& path) {
    auto name = GetString(value, path);
    if (!name) return std::nullopt;
    auto action = OciActionFromName(*name);
    if (!action) Error(path, "unknown action '" + *name + "'", DidYouMean(*name, OciActionNames()));
    return action;
  }

  void ParseProfile(const Json& profile, const std::string& base);

  void ParseArches(const Json& profile, const std::string& base);

  // Checks a SCMP_ARCH_* name; returns the sysfence ABI it stands for, if any.
  std::optional<Arch> ValidateArchName(const std::string& name, const std::string& path);

  void AddArch(const std::string& name, const std::string& path, bool warn_unsupported);

  void ParseFlags(const Json& profile, const std::string& base);

  // Checks includes/excludes and says whether the rule applies (Docker's order of checks).
  bool Selected(const Json& entry, const std::string& path);

  std::optional<ParsedRule> ParseRule(const Json& entry, const std::string& path, int index);
  // The rule's names/name: known syscalls kept once each, unknown ones warned about and dropped.
  void ParseRuleNames(const Json& entry, const std::string& path, ParsedRule& rule);
  // The rule's action with its errnoRet.
  void ParseRuleAction(const Json& entry, const std::string& path, ParsedRule& rule);
  // The rule's args as runc hands them to libseccomp: one ANDed chain, or one chain per comparison
  // when an index repeats.
  void ParseRuleArgs(const Json& entry, const std::string& path, ParsedRule& rule);

  std::optional<Comparison> ParseArg(const Json& arg, const std::string& path);

  size_t ErrorCount() const {
    return diagnostics_.error_count();
  }

  static Condition ChainCondition(const std::vector<Comparison>& chain);

  static std::optional<Condition> RuleCondition(const std::vector<std::vector<Comparison>>& chains);

  // Turns the selected rules into first-match policy rules that decide exactly what libseccomp
  // decides (docs/formats.md, "Rule order").
  void Resolve(const std::vector<ParsedRule>& rules);

  static const ParsedRule* FindRule(const std::vector<ParsedRule>& rules, int index);

  std::string file_;
  const LoadOptions& options_;
  Diagnostics& diagnostics_;
  Arch host_;
  std::optional<std::pair<int, int>> kernel_;
  bool kubernetes_ = false;
  policy::Policy policy_;
};

}  // namespace sysfence::formats::oci_import_internal
