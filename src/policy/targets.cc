// SPDX-License-Identifier: Apache-2.0
#include "policy/targets.h"

#include <algorithm>

#include "syscalls/syscalls.h"

namespace sysfence::policy {

std::vector<std::string> ExpandTargets(const std::vector<std::string>& targets) {
  std::vector<std::string> names;
  for (const std::string& target : targets) {
    if (!target.empty() && target.front() == '@') {
      if (const syscalls::Group* group = syscalls::FindGroup(target)) {
        for (std::string_view member : syscalls::ExpandGroup(*group)) names.emplace_back(member);
      }
    } else {
      names.push_back(target);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<std::string> ExpandTargets(const Rule& rule) { return ExpandTargets(rule.targets); }

bool RuleAppliesToArch(const Rule& rule, Arch arch) {
  return rule.only_arches.empty() ||
         std::find(rule.only_arches.begin(), rule.only_arches.end(), arch) != rule.only_arches.end();
}

std::vector<Arch> RuleArches(const Policy& policy, const Rule& rule) {
  if (rule.only_arches.empty()) return policy.arches;
  return rule.only_arches;
}

}  // namespace sysfence::policy
