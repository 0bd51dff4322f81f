// SPDX-License-Identifier: Apache-2.0
#include "policy/amend_landlock.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "policy/parser.h"
#include "policy/printer.h"

namespace sysfence::policy {
namespace {

Error BadLine(std::string_view line, const std::string& what) {
  return Error{ErrorCode::kInvalidInput, "'" + std::string(line) + "': " + what};
}

// `path` without trailing slashes ("/" stays "/").
std::string_view WithoutTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

// Whether `ancestor` is `path` or one of its ancestors, as text.
bool IsAtOrBeneath(std::string_view path, std::string_view ancestor) {
  path = WithoutTrailingSlashes(path);
  ancestor = WithoutTrailingSlashes(ancestor);
  if (ancestor == "/") return true;
  return path.starts_with(ancestor) && (path.size() == ancestor.size() || path[ancestor.size()] == '/');
}

// The accesses reported on one path, or one port, and where they were reported.
struct PathAccesses {
  std::string path;
  uint32_t access = 0;
  std::vector<std::string> origins;
};
struct PortAccesses {
  NetRule::Kind kind = NetRule::Kind::kConnect;
  uint16_t port = 0;
  std::vector<std::string> origins;
};

// Groups `accesses` by path and by port, first reported first; kinds the policy does not restrict
// are counted in `unrestricted_fs` / `unrestricted_net` instead.
void Group(std::span<const ObservedAccess> accesses, const Policy& policy, std::vector<PathAccesses>& paths,
           std::vector<PortAccesses>& ports, std::vector<std::string>& unrestricted) {
  for (const ObservedAccess& access : accesses) {
    if (access.kind == ObservedAccess::Kind::kFs) {
      if (policy.fs_rules.empty()) {
        FsRule rule{access.fs_access, {access.path}, {}, {}};
        unrestricted.push_back(PrintFsRule(rule));
        continue;
      }
      const std::string path(WithoutTrailingSlashes(access.path));
      auto it = std::find_if(paths.begin(), paths.end(), [&](const PathAccesses& p) { return p.path == path; });
      if (it == paths.end()) it = paths.insert(paths.end(), PathAccesses{path, 0, {}});
      it->access |= access.fs_access;
      it->origins.push_back(access.origin);
      continue;
    }
    if (policy.net_rules.empty()) {
      unrestricted.push_back(PrintNetRule(NetRule{access.net, access.port, {}, {}}));
      continue;
    }
    auto it = std::find_if(ports.begin(), ports.end(),
                           [&](const PortAccesses& p) { return p.kind == access.net && p.port == access.port; });
    if (it == ports.end()) it = ports.insert(ports.end(), PortAccesses{access.net, access.port, {}});
    it->origins.push_back(access.origin);
  }
}

void AddFsRules(const std::vector<PathAccesses>& paths, Amendment& amendment) {
  for (const PathAccesses& entry : paths) {
    // Rules added before this one name other paths: only an ancestor among them grants here.
    uint32_t granted = GrantedFsAccess(amendment.policy, entry.path);
    for (const PathAccesses& other : paths) {
      if (other.path != entry.path && IsAtOrBeneath(entry.path, other.path)) granted |= other.access;
    }
    const uint32_t missing = entry.access & ~granted;
    if (missing == 0) continue;
    FsRule rule;
    rule.access = missing;
    rule.paths = {entry.path};
    rule.comment = OriginsComment(entry.origins);
    amendment.lines.push_back(PrintFsRule(rule));
    amendment.policy.fs_rules.push_back(std::move(rule));
  }
}

void AddNetRules(const std::vector<PortAccesses>& ports, Amendment& amendment) {
  std::vector<NetRule>& rules = amendment.policy.net_rules;
  for (const PortAccesses& entry : ports) {
    NetRule rule;
    rule.kind = entry.kind;
    rule.port = entry.port;
    if (std::find(rules.begin(), rules.end(), rule) != rules.end()) continue;
    rule.comment = OriginsComment(entry.origins);
    amendment.lines.push_back(PrintNetRule(rule));
    rules.push_back(std::move(rule));
  }
}

}  // namespace

Result<ObservedAccess> ObservedAccessFromLine(std::string_view line) {
  if (line.find_first_of("\n\r") != std::string_view::npos) return BadLine(line, "a line may not hold a line break");
  const size_t first = std::min(line.find_first_not_of(" \t"), line.size());
  const std::string_view keyword = line.substr(first, line.find_first_of(" \t", first) - first);
  if (keyword != "fs" && keyword != "net") return BadLine(line, "expected an 'fs' or 'net' line");
  // The line is checked as the policy parser reads it, inside a minimal policy; it may not reach
  // any file (no include can be read).
  ParseOptions options;
  options.resolve_include = [](std::string_view path, std::string_view) -> Result<std::pair<std::string, std::string>> {
    return MakeError(ErrorCode::kInvalidInput, "cannot include '" + std::string(path) + "' here");
  };
  Diagnostics diagnostics;
  const std::optional<Policy> policy = ParsePolicy("arch x86_64\n" + std::string(line) + "\n", "line", diagnostics, options);
  if (!policy) {
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      if (diagnostic.severity != Severity::kError) continue;
      return BadLine(line, diagnostic.message + (diagnostic.hint.empty() ? "" : " (" + diagnostic.hint + ")"));
    }
    return BadLine(line, "not a policy line");
  }
  ObservedAccess access;
  if (policy->fs_rules.size() == 1 && policy->net_rules.empty()) {
    const FsRule& rule = policy->fs_rules.front();
    if (rule.paths.size() != 1) return BadLine(line, "expected one path, found " + std::to_string(rule.paths.size()));
    access.kind = ObservedAccess::Kind::kFs;
    access.fs_access = rule.access;
    access.path = rule.paths.front();
    return access;
  }
  if (policy->net_rules.size() != 1 || !policy->fs_rules.empty()) {
    return BadLine(line, "expected one port, found " + std::to_string(policy->net_rules.size()));
  }
  access.kind = ObservedAccess::Kind::kNet;
  access.net = policy->net_rules.front().kind;
  access.port = policy->net_rules.front().port;
  return access;
}

uint32_t GrantedFsAccess(const Policy& policy, std::string_view path) {
  uint32_t granted = 0;
  for (const FsRule& rule : policy.fs_rules) {
    for (const std::string& rule_path : rule.paths) {
      if (IsAtOrBeneath(path, rule_path)) granted |= rule.access;
    }
  }
  return granted;
}

void AmendLandlock(std::span<const ObservedAccess> accesses, Amendment& amendment) {
  std::vector<PathAccesses> paths;
  std::vector<PortAccesses> ports;
  std::vector<std::string> unrestricted;
  Group(accesses, amendment.policy, paths, ports, unrestricted);
  AddFsRules(paths, amendment);
  AddNetRules(ports, amendment);
  std::vector<std::string> noted;
  for (const std::string& line : unrestricted) {
    if (std::find(noted.begin(), noted.end(), line) != noted.end()) continue;
    noted.push_back(line);
    const bool fs = line.starts_with("fs ");
    amendment.notes.push_back("# '" + line + "' was reported, but the policy has no " + (fs ? "fs" : "net") +
                              " rules, so Landlock restricts no " + (fs ? "path" : "port") +
                              " under it; not added: a first such rule would deny every " + (fs ? "path" : "port") +
                              " it does not name");
  }
}

Amendment AmendPolicy(const Policy& policy, std::span<const ObservedCall> calls,
                      std::span<const ObservedAccess> accesses) {
  Amendment amendment = AmendPolicy(policy, calls);
  AmendLandlock(accesses, amendment);
  return amendment;
}

}  // namespace sysfence::policy
