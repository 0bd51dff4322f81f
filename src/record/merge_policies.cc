// SPDX-License-Identifier: Apache-2.0
#include "record/merge_policies.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>
#include <string>

#include "policy/privileges.h"

namespace sysfence::record {

policy::Policy MergePolicies(const std::vector<policy::Policy>& policies) {
  assert(!policies.empty());
  policy::Policy merged;
  merged.default_action = policies.front().default_action;
  merged.badarch_action = policies.front().badarch_action;
  std::set<Arch> arches;
  struct PerName {
    std::vector<policy::Rule> permits;
    std::vector<policy::Rule> denies;
    bool unconditional_permit = false;
  };
  std::vector<std::string> order;  // names in first-seen order
  std::map<std::string, PerName> by_name;
  for (const policy::Policy& policy : policies) {
    arches.insert(policy.arches.begin(), policy.arches.end());
    for (const policy::Rule& rule : policy.rules) {
      for (const std::string& target : rule.targets) {
        auto [it, inserted] = by_name.try_emplace(target);
        if (inserted) order.push_back(target);
        PerName& entry = it->second;
        policy::Rule single = rule;
        single.targets = {target};
        // Rules restricted to some ABIs only count as unconditional when all of them are covered;
        // keep them as they are (the restriction acts like a condition).
        auto& list = rule.action.Permits() ? entry.permits : entry.denies;
        if (std::find(list.begin(), list.end(), single) != list.end()) continue;
        if (rule.action.Permits() && !rule.condition && rule.only_arches.empty()) entry.unconditional_permit = true;
        list.push_back(std::move(single));
      }
    }
    for (const policy::FsRule& fs : policy.fs_rules) {
      if (std::find(merged.fs_rules.begin(), merged.fs_rules.end(), fs) == merged.fs_rules.end()) {
        merged.fs_rules.push_back(fs);
      }
    }
    for (const policy::NetRule& net : policy.net_rules) {
      if (std::find(merged.net_rules.begin(), merged.net_rules.end(), net) == merged.net_rules.end()) {
        merged.net_rules.push_back(net);
      }
    }
  }
  merged.arches.assign(arches.begin(), arches.end());
  policy::UnitePrivileges(policies, merged);
  for (const std::string& name : order) {
    PerName& entry = by_name[name];
    if (entry.unconditional_permit) {
      // One unconditional allow (or log, if any policy logs it unconditionally and none allows).
      auto best = std::find_if(entry.permits.begin(), entry.permits.end(), [](const policy::Rule& r) {
        return !r.condition && r.only_arches.empty() && r.action.kind == ActionKind::kAllow;
      });
      if (best == entry.permits.end()) {
        best = std::find_if(entry.permits.begin(), entry.permits.end(),
                            [](const policy::Rule& r) { return !r.condition && r.only_arches.empty(); });
      }
      merged.rules.push_back(*best);
      continue;
    }
    for (policy::Rule& rule : entry.permits) merged.rules.push_back(std::move(rule));
    for (policy::Rule& rule : entry.denies) merged.rules.push_back(std::move(rule));
  }
  return merged;
}

}  // namespace sysfence::record
