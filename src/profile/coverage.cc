// SPDX-License-Identifier: Apache-2.0
#include "profile/coverage.h"

#include <set>

#include "fmt/format.h"
#include "syscalls/facts.h"
#include "syscalls/syscalls.h"

namespace sysfence::profile {
namespace {

// Syscalls some rule of `policy` can let through (expanding groups).
std::set<std::string> PermittedNames(const policy::Policy& policy) {
  std::set<std::string> names;
  for (const policy::Rule& rule : policy.rules) {
    if (!rule.action.Permits()) continue;
    for (const std::string& target : rule.targets) {
      if (!target.empty() && target[0] == '@') {
        if (const syscalls::Group* group = syscalls::FindGroup(target)) {
          for (std::string_view member : syscalls::ExpandGroup(*group)) names.emplace(member);
        }
      } else {
        names.insert(target);
      }
    }
  }
  return names;
}

std::string Label(const SyscallRecord& record, const Profile& profile) {
  std::set<Arch> arches{profile.native_arch};
  for (const SyscallRecord& r : profile.syscalls) arches.insert(r.arch);
  if (arches.size() == 1) return record.name;
  return fmt::format("{}/{}", ArchName(record.arch), record.name);
}

void RenderList(std::string& out, const char* title, const std::vector<std::string>& items, size_t cap) {
  if (items.empty()) return;
  out += fmt::format("  {} ({}): ", title, items.size());
  for (size_t i = 0; i < items.size() && i < cap; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > cap) out += fmt::format(", … {} more (see --json)", items.size() - cap);
  out += '\n';
}

}  // namespace

CoverageReport AnalyzeCoverage(const Profile& profile, const policy::Policy& policy) {
  CoverageReport report;
  for (const SyscallRecord& record : profile.syscalls) {
    const std::string label = Label(record, profile);
    if (record.count == 1) report.seen_once.push_back(label);
    if (record.startup_only && record.count > 1) report.startup_only.push_back(label);
    if (profile.process_images > 1 && record.processes == 1) report.single_process.push_back(label);
  }
  for (const std::string& name : PermittedNames(policy)) {
    if (auto reason = syscalls::DangerReason(name)) report.dangerous.push_back(fmt::format("{}: {}", name, *reason));
  }
  report.unnamed = UnnamedSyscalls(profile);
  report.limits = {
      "a recording proves only the paths this run took: error handling, other options, other input and "
      "other machines may need more (merge several recordings with `sysfence merge`)",
      "clock_gettime, gettimeofday, time and getcpu run in the vDSO on most clock sources and reach the "
      "kernel only on others; the policy allows them for that reason",
      "a newer libc or kernel may use syscalls this one did not (the policy answers known newer ones "
      "and fallback twins with ENOSYS); re-record after upgrades",
      "arguments were recorded only for scalar constants; pointer arguments (paths, buffers) are never "
      "checked by seccomp: use fs rules (Landlock) for paths",
  };
  if (!profile.errors_known) {
    report.limits.push_back(fmt::format("the {} backend cannot see return values: error counts are unknown",
                                        profile.backend));
  }
  return report;
}

std::string RenderCoverage(const CoverageReport& report) {
  std::string out = "sysfence: coverage of this recording:\n";
  RenderList(out, "seen only once", report.seen_once, 12);
  RenderList(out, "only at start-up", report.startup_only, 12);
  RenderList(out, "only in one process", report.single_process, 12);
  RenderList(out, "dangerous syscalls allowed", report.dangerous, 20);
  RenderList(out, "numbers without a name (not allowed)", report.unnamed, 12);
  out += "  what a recording cannot prove:\n";
  for (const std::string& limit : report.limits) out += "   - " + limit + "\n";
  return out;
}

nlohmann::json CoverageToJson(const CoverageReport& report) {
  return {{"seen_once", report.seen_once},           {"startup_only", report.startup_only},
          {"single_process", report.single_process}, {"dangerous_allowed", report.dangerous},
          {"unnamed", report.unnamed},               {"limits", report.limits}};
}

}  // namespace sysfence::profile
