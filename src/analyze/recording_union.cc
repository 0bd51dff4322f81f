// SPDX-License-Identifier: Apache-2.0
#include "analyze/recording_union.h"

#include <sys/utsname.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace sysfence::analyze {
namespace {

std::string Where(const FoundSyscall& s) {
  const SyscallOrigin& o = s.origins.front();
  if (o.address == 0) return fmt::format("{} ({})", o.function, o.module);
  return fmt::format("{} ({} {:#x})", o.function, o.module, o.address);
}

std::string Key(Arch arch, const std::string& name) {
  return arch == Arch::kX86_64 ? name : fmt::format("{} ({})", name, ArchName(arch));
}

}  // namespace

UnionReport UniteWithAnalysis(profile::Profile* recording, const Analysis& analysis) {
  UnionReport report;
  std::set<std::pair<Arch, std::string>> found;
  for (const FoundSyscall& s : analysis.syscalls) found.emplace(s.arch, s.name);
  for (const profile::SyscallRecord& r : recording->syscalls) {
    if (r.count == 0) continue;
    (found.contains({r.arch, r.name}) ? report.seen_and_found : report.recorded_only).push_back(Key(r.arch, r.name));
  }
  for (const FoundSyscall& s : analysis.syscalls) {
    const profile::SyscallRecord* existing = profile::FindSyscall(*recording, s.arch, s.name);
    if (existing != nullptr && existing->count > 0) continue;
    report.analysis_only.push_back(Key(s.arch, s.name));
    if (existing != nullptr) continue;
    profile::SyscallRecord added;
    added.arch = s.arch;
    added.name = s.name;
    added.number = s.number;
    added.startup_only = false;
    recording->syscalls.push_back(std::move(added));
  }
  std::sort(recording->syscalls.begin(), recording->syscalls.end(), [](const auto& a, const auto& b) {
    return std::tie(a.arch, a.name) < std::tie(b.arch, b.name);
  });
  for (const UnresolvedSite& u : analysis.unresolved) {
    report.unresolved.push_back(fmt::format("{} {:#x} in {}: {}", u.module, u.address, u.function, u.reason));
  }
  report.not_analyzed = analysis.not_analyzed;
  return report;
}

profile::Profile ProfileFromAnalysis(const Analysis& analysis) {
  profile::Profile out;
  out.backend = "analysis";
  out.command = {analysis.program};
  struct utsname name {};
  if (uname(&name) == 0) out.kernel_release = name.release;
  out.process_images = 1;
  for (const FoundSyscall& s : analysis.syscalls) {
    profile::SyscallRecord r;
    r.arch = s.arch;
    r.name = s.name;
    r.number = s.number;
    r.startup_only = false;
    out.syscalls.push_back(std::move(r));
  }
  return out;
}

void AnnotatePolicySources(policy::Policy* policy, const Analysis& analysis, const UnionReport* report) {
  std::map<std::string, const FoundSyscall*> found;
  for (const FoundSyscall& s : analysis.syscalls) found.emplace(s.name, &s);
  std::set<std::string> only;
  if (report != nullptr) {
    for (const std::string& name : report->analysis_only) only.insert(name);
  }
  for (policy::Rule& rule : policy->rules) {
    if (rule.targets.size() != 1 || rule.action != Action::Allow()) continue;
    auto it = found.find(rule.targets[0]);
    const bool analysis_only = report == nullptr || only.contains(rule.targets[0]);
    if (analysis_only && it == found.end()) continue;  // a rule every policy has
    if (it == found.end()) {
      if (report != nullptr && !rule.comment.empty()) rule.comment = "seen, not found by the analysis: " + rule.comment;
      continue;
    }
    if (analysis_only) {
      const std::string group = rule.comment.substr(0, rule.comment.find(':'));
      rule.comment = fmt::format("{}: analysis only: {}", group, Where(*it->second));
    } else {
      rule.comment = fmt::format("seen: {}; found in {}", rule.comment, Where(*it->second));
    }
  }
}

Analysis MergeAnalyses(const std::vector<Analysis>& analyses) {
  Analysis merged;
  std::map<std::pair<Arch, std::string>, FoundSyscall> found;
  std::vector<std::string> programs;
  for (const Analysis& a : analyses) {
    programs.push_back(a.program);
    for (const FoundSyscall& s : a.syscalls) found.emplace(std::pair{s.arch, s.name}, s);
    merged.unresolved.insert(merged.unresolved.end(), a.unresolved.begin(), a.unresolved.end());
    merged.not_analyzed.insert(merged.not_analyzed.end(), a.not_analyzed.begin(), a.not_analyzed.end());
    merged.modules.insert(merged.modules.end(), a.modules.begin(), a.modules.end());
  }
  merged.program = fmt::format("{}", fmt::join(programs, " + "));
  for (auto& [key, s] : found) merged.syscalls.push_back(std::move(s));
  return merged;
}

std::string RenderUnion(const UnionReport& report) {
  std::string text = fmt::format("analysis: {} syscalls seen and found, {} found but never made in the run, {} made but "
                                 "not found\n",
                                 report.seen_and_found.size(), report.analysis_only.size(), report.recorded_only.size());
  if (!report.analysis_only.empty()) {
    text += fmt::format("  reachable but never made (the likely production surprises; allowed): {}\n",
                        fmt::join(report.analysis_only, ", "));
  }
  if (!report.recorded_only.empty()) {
    text += fmt::format("  made but not found by the analysis (code it cannot see: dlopen, JIT, other programs): {}\n",
                        fmt::join(report.recorded_only, ", "));
  }
  if (!report.unresolved.empty()) text += fmt::format("  {} sites with an unknown number (see --json)\n", report.unresolved.size());
  for (const std::string& what : report.not_analyzed) text += "  not analysed: " + what + "\n";
  return text;
}

nlohmann::json UnionToJson(const UnionReport& report) {
  return {{"seen_and_found", report.seen_and_found}, {"analysis_only", report.analysis_only},
          {"recorded_only", report.recorded_only}, {"unresolved", report.unresolved},
          {"not_analyzed", report.not_analyzed}};
}

}  // namespace sysfence::analyze
