// SPDX-License-Identifier: Apache-2.0
#include "profile/replicas.h"

#include <map>
#include <set>

#include "policy/targets.h"

namespace sysfence::profile {
namespace {

// Which replicas (by index) called `name` on any ABI.
std::vector<size_t> CallersOf(const std::string& name, const std::vector<Replica>& replicas) {
  std::vector<size_t> out;
  for (size_t i = 0; i < replicas.size(); ++i) {
    for (const SyscallRecord& record : replicas[i].profile->syscalls) {
      if (record.name == name && record.count > 0) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

std::string Labels(const std::vector<size_t>& indexes, const std::vector<Replica>& replicas) {
  std::string out;
  for (size_t i : indexes) out += (out.empty() ? "" : ", ") + replicas[i].label;
  return out;
}

}  // namespace

std::string SeenByLine(const policy::Rule& rule, const std::vector<Replica>& replicas) {
  std::map<std::vector<size_t>, std::vector<std::string>> by_callers;
  std::set<size_t> anyone;
  for (const std::string& name : policy::ExpandTargets(rule)) {
    std::vector<size_t> callers = CallersOf(name, replicas);
    if (callers.empty()) continue;
    anyone.insert(callers.begin(), callers.end());
    by_callers[callers].push_back(name);
  }
  if (anyone.empty()) return {};
  const std::string total = std::to_string(replicas.size());
  if (by_callers.size() == 1) {
    const std::vector<size_t>& callers = by_callers.begin()->first;
    if (callers.size() == replicas.size()) return "seen by all " + total + " replicas";
    return "seen by " + std::to_string(callers.size()) + " of " + total + " replicas: " + Labels(callers, replicas);
  }
  std::string out = "seen by " + std::to_string(anyone.size()) + " of " + total + " replicas:";
  std::string separator = " ";
  for (const auto& [callers, names] : by_callers) {
    std::string joined;
    for (const std::string& name : names) joined += (joined.empty() ? "" : " ") + name;
    out += separator + joined + ": " + (callers.size() == replicas.size() ? "all" : Labels(callers, replicas));
    separator = "; ";
  }
  return out;
}

void AnnotateReplicas(policy::Policy& policy, const std::vector<Replica>& replicas) {
  for (policy::Rule& rule : policy.rules) {
    const std::string line = SeenByLine(rule, replicas);
    if (line.empty()) continue;
    rule.comment += (rule.comment.empty() ? "" : "\n") + line;
  }
}

std::string RecordedProfileName(std::string_view recording, std::string_view container) {
  return std::string(recording) + "-" + std::string(container);
}

std::string ReplicaSuffix(std::string_view name, std::string_view recording, std::string_view container) {
  if (const size_t dot = name.find('.'); dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
  const std::string prefix = RecordedProfileName(recording, container) + "-";
  if (name.size() > prefix.size() && name.starts_with(prefix)) return std::string(name.substr(prefix.size()));
  return std::string(name);
}

}  // namespace sysfence::profile
