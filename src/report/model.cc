// SPDX-License-Identifier: Apache-2.0
#include "report/model.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy/printer.h"
#include "policy/targets.h"
#include "profile/coverage.h"
#include "syscalls/syscalls.h"

namespace sysfence::report {
namespace {

using nlohmann::json;

// A syscall's label: its name, with the ABI for calls of a non-native ABI ("getuid (x86)").
std::string LabelOf(const profile::SyscallRecord& record, Arch native) {
  return record.arch == native ? record.name : record.name + " (" + std::string(ArchName(record.arch)) + ")";
}

json SyscallsOf(const profile::Profile& profile) {
  std::vector<const profile::SyscallRecord*> sorted;
  for (const auto& record : profile.syscalls) sorted.push_back(&record);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->count > b->count; });
  json out = json::array();
  for (const auto* record : sorted) {
    out.push_back({{"name", LabelOf(*record, profile.native_arch)}, {"count", record->count},
                   {"errors", record->errors}, {"processes", record->processes},
                   {"startup_only", record->startup_only}, {"first_ms", record->first_ms},
                   {"last_ms", record->last_ms}});
  }
  return out;
}

// Calls per built-in group (groups overlap: a call counts in every group naming its syscall).
json GroupsOf(const profile::Profile& profile) {
  std::map<std::string, uint64_t> calls_by_name;
  for (const auto& record : profile.syscalls) calls_by_name[record.name] += record.count;
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> groups;
  for (const syscalls::Group& group : syscalls::AllGroups()) {
    uint64_t calls = 0, distinct = 0;
    for (std::string_view member : syscalls::ExpandGroup(group)) {
      if (auto it = calls_by_name.find(std::string(member)); it != calls_by_name.end()) {
        calls += it->second;
        ++distinct;
      }
    }
    if (calls != 0) groups.push_back({std::string(group.name), {calls, distinct}});
  }
  std::stable_sort(groups.begin(), groups.end(), [](auto& a, auto& b) { return a.second.first > b.second.first; });
  json out = json::array();
  for (const auto& [name, counts] : groups) {
    out.push_back({{"name", name}, {"calls", counts.first}, {"syscalls", counts.second}});
  }
  return out;
}

json ProcessesOf(const profile::Profile& profile) {
  json out = json::array();
  for (const auto& node : profile.processes) {
    out.push_back({{"pid", node.pid}, {"parent", node.parent}, {"name", node.name}, {"calls", node.calls}});
  }
  return out;
}

// A round interval (1, 2 or 5 times a power of ten seconds) giving at most `most` intervals.
double RoundInterval(double span, int most) {
  double interval = 0.001;
  for (int i = 0; span / interval > most; ++i) interval *= (i % 3 == 1) ? 2.5 : 2;
  return interval;
}

}  // namespace

json RecordingModel(const NamedRecording& recording, const policy::Policy* policy) {
  const profile::Profile& profile = recording.profile;
  json out = {{"name", recording.name},
              {"command", profile.command},
              {"backend", profile.backend},
              {"kernel", profile.kernel_release},
              {"arch", std::string(ArchName(profile.native_arch))},
              {"duration_ms", profile.duration_ms},
              {"total_calls", profile::TotalCalls(profile)},
              {"distinct_syscalls", profile.syscalls.size()},
              {"process_images", profile.process_images},
              {"recordings", profile.recordings},
              {"syscalls", SyscallsOf(profile)},
              {"groups", GroupsOf(profile)},
              {"processes", ProcessesOf(profile)}};
  if (profile.timeline.calls.empty()) {
    out["timeline"] = nullptr;
  } else {
    out["timeline"] = {{"interval_ms", static_cast<double>(profile.timeline.interval_ns) / 1e6},
                       {"calls", profile.timeline.calls}};
  }
  const profile::CoverageReport coverage = profile::AnalyzeCoverage(profile, policy ? *policy : policy::Policy{});
  out["coverage"] = {{"seen_once", coverage.seen_once},
                     {"startup_only", coverage.startup_only},
                     {"single_process", coverage.single_process},
                     {"dangerous", coverage.dangerous},
                     {"limits", coverage.limits}};
  return out;
}

json PolicyModel(const NamedPolicy& named, const profile::Profile* recording) {
  const policy::Policy& policy = named.policy;
  json rules = json::array();
  for (const policy::Rule& rule : policy.rules) {
    const std::vector<std::string> names = policy::ExpandTargets(rule);
    const std::set<std::string> named_set(names.begin(), names.end());
    json evidence = json::array();
    uint64_t calls = 0;
    if (recording != nullptr) {
      for (const auto& record : recording->syscalls) {
        if (named_set.count(record.name) == 0 || !policy::RuleAppliesToArch(rule, record.arch)) continue;
        evidence.push_back({{"syscall", LabelOf(record, recording->native_arch)}, {"count", record.count}});
        calls += record.count;
      }
    }
    rules.push_back({{"line", rule.span.line},
                     {"text", policy::PrintRule(rule, policy.arches)},
                     {"action", rule.action.ToPolicyText()},
                     {"comment", rule.comment},
                     {"calls", calls},
                     {"evidence", evidence}});
  }
  return {{"name", named.name},
          {"default", policy.default_action.ToPolicyText()},
          {"rules", rules},
          {"with_recording", recording != nullptr}};
}

json EventsModel(const NamedEvents& events) {
  std::map<std::string, uint64_t> per_rule;
  double span = 0;
  for (const Violation& violation : events.violations) {
    ++per_rule[violation.rule];
    span = std::max(span, violation.seconds);
  }
  const double interval = RoundInterval(span, 60);
  const size_t intervals = static_cast<size_t>(span / interval) + 1;
  std::map<std::string, std::vector<uint64_t>> series;
  std::map<std::string, std::map<std::string, uint64_t>> syscalls_of_rule;
  for (const Violation& violation : events.violations) {
    auto& counts = series[violation.rule];
    counts.resize(intervals, 0);
    ++counts[std::min(intervals - 1, static_cast<size_t>(violation.seconds / interval))];
    ++syscalls_of_rule[violation.rule][violation.syscall.empty() ? "?" : violation.syscall];
  }
  json rules = json::array();
  for (const auto& [rule, count] : per_rule) {
    json calls = json::array();
    for (const auto& [syscall, n] : syscalls_of_rule[rule]) calls.push_back({{"syscall", syscall}, {"count", n}});
    rules.push_back({{"rule", rule}, {"count", count}, {"over_time", series[rule]}, {"syscalls", calls}});
  }
  json processes = json::array();
  std::map<std::pair<int, std::string>, uint64_t> per_process;
  for (const Violation& violation : events.violations) ++per_process[{violation.pid, violation.comm}];
  for (const auto& [key, count] : per_process) {
    processes.push_back({{"pid", key.first}, {"comm", key.second}, {"count", count}});
  }
  return {{"name", events.name}, {"total", events.violations.size()}, {"interval_s", interval},
          {"intervals", intervals}, {"rules", rules}, {"processes", processes}};
}

json DiffModel(const NamedRecording& a, const NamedRecording& b) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> counts;
  for (const auto& record : a.profile.syscalls) counts[LabelOf(record, a.profile.native_arch)].first += record.count;
  for (const auto& record : b.profile.syscalls) counts[LabelOf(record, b.profile.native_arch)].second += record.count;
  json only_a = json::array(), only_b = json::array(), both = json::array();
  for (const auto& [name, pair] : counts) {
    if (pair.second == 0) {
      only_a.push_back({{"name", name}, {"count", pair.first}});
    } else if (pair.first == 0) {
      only_b.push_back({{"name", name}, {"count", pair.second}});
    } else {
      both.push_back({{"name", name}, {"a", pair.first}, {"b", pair.second}});
    }
  }
  return {{"a", a.name}, {"b", b.name}, {"only_a", only_a}, {"only_b", only_b}, {"both", both},
          {"total_a", profile::TotalCalls(a.profile)}, {"total_b", profile::TotalCalls(b.profile)}};
}

json BuildModel(const ReportInputs& inputs) {
  const policy::Policy* policy = inputs.policy ? &inputs.policy->policy : nullptr;
  json recordings = json::array();
  for (const NamedRecording& recording : inputs.recordings) recordings.push_back(RecordingModel(recording, policy));
  json model = {{"recordings", recordings}, {"policy", nullptr}, {"events", json::array()}, {"diff", nullptr}};
  if (inputs.policy) {
    model["policy"] = PolicyModel(*inputs.policy, inputs.recordings.empty() ? nullptr : &inputs.recordings[0].profile);
  }
  for (const NamedEvents& events : inputs.events) model["events"].push_back(EventsModel(events));
  if (inputs.recordings.size() == 2) model["diff"] = DiffModel(inputs.recordings[0], inputs.recordings[1]);
  return model;
}

}  // namespace sysfence::report
