// SPDX-License-Identifier: Apache-2.0
#include "formats/base_profiles.h"

#include <algorithm>
#include <set>

#include "core/diagnostic.h"
#include "policy/parser.h"

namespace sysfence::formats {
namespace base_profiles_data {
extern const std::string_view kRuncV11;  // data/base-profiles/runc-v1.1.x.sfp
extern const std::string_view kCrunV18;  // data/base-profiles/crun-v1.8.x.sfp
}  // namespace base_profiles_data

namespace {

struct BundledBase {
  std::string_view name;
  std::string_view runtime;          // what a name starts with
  std::string_view version_prefix;   // "v1.1." : the versions it covers
  const std::string_view* text;
};

constexpr BundledBase kBases[] = {
    {"crun-v1.8.x", "crun", "v1.8.", &base_profiles_data::kCrunV18},
    {"runc-v1.1.x", "runc", "v1.1.", &base_profiles_data::kRuncV11},
};

std::string NameList() {
  std::string list;
  for (const BundledBase& base : kBases) list += (list.empty() ? "" : ", ") + std::string(base.name);
  return list;
}

const BundledBase* Find(std::string_view name) {
  for (const BundledBase& base : kBases) {
    if (name == base.name || name == base.runtime) return &base;
    const std::string prefix = std::string(base.runtime) + "-" + std::string(base.version_prefix);
    if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) return &base;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> BaseProfileNames() {
  std::vector<std::string> names;
  for (const BundledBase& base : kBases) names.emplace_back(base.name);
  return names;
}

std::optional<std::string> ResolveBaseProfileName(std::string_view name) {
  const BundledBase* base = Find(name);
  if (base == nullptr) return std::nullopt;
  return std::string(base->name);
}

std::optional<std::string_view> BaseProfileText(std::string_view name) {
  const BundledBase* base = Find(name);
  if (base == nullptr) return std::nullopt;
  return *base->text;
}

Result<policy::Policy> LoadBaseProfile(std::string_view name) {
  const BundledBase* base = Find(name);
  if (base == nullptr) {
    return MakeError(ErrorCode::kNotFound,
                     "no bundled base profile '" + std::string(name) + "' (bundled: " + NameList() + ")");
  }
  Diagnostics diagnostics;
  std::optional<policy::Policy> parsed = policy::ParsePolicy(*base->text, std::string(base->name) + ".sfp", diagnostics);
  if (!parsed) return MakeError(ErrorCode::kInternal, "the bundled base " + std::string(base->name) + " does not parse");
  return *parsed;
}

Result<std::vector<std::string>> BaseProfileSyscalls(std::string_view name) {
  Result<policy::Policy> base = LoadBaseProfile(name);
  if (!base.ok()) return base.error();
  std::set<std::string> names;
  for (const policy::Rule& rule : base.value().rules) {
    if (rule.action.kind != ActionKind::kAllow) continue;
    if (!rule.condition) names.insert(rule.targets.begin(), rule.targets.end());
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<policy::Policy> WithBaseProfile(const policy::Policy& policy, std::string_view name) {
  Result<std::vector<std::string>> syscalls = BaseProfileSyscalls(name);
  if (!syscalls.ok()) return syscalls.error();
  const std::set<std::string> base(syscalls.value().begin(), syscalls.value().end());
  std::set<std::string> allowed_always;
  for (const policy::Rule& rule : policy.rules) {
    if (rule.action.Permits() && !rule.condition && rule.only_arches.empty()) {
      allowed_always.insert(rule.targets.begin(), rule.targets.end());
    }
  }
  policy::Policy out = policy;
  out.rules.clear();
  policy::Rule added;
  added.action = Action::Allow();
  for (const std::string& syscall : base) {
    if (!allowed_always.count(syscall)) added.targets.push_back(syscall);
  }
  added.comment = "runtime base " + ResolveBaseProfileName(name).value_or(std::string(name)) +
                  ": what the container runtime calls after it installs the filter (docs/containers.md)";
  bool placed = added.targets.empty();
  for (policy::Rule rule : policy.rules) {
    if (!rule.action.Permits()) {
      if (!placed) out.rules.push_back(added);
      placed = true;
      std::erase_if(rule.targets, [&](const std::string& target) { return base.count(target) != 0; });
      if (rule.targets.empty()) continue;
    }
    out.rules.push_back(std::move(rule));
  }
  if (!placed) out.rules.push_back(added);
  return out;
}

}  // namespace sysfence::formats
