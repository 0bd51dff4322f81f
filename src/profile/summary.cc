// SPDX-License-Identifier: Apache-2.0
#include "profile/summary.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "fmt/format.h"

namespace sysfence::profile {

std::string RenderSummary(const Profile& profile) {
  std::vector<const SyscallRecord*> rows;
  std::set<Arch> arches;
  for (const SyscallRecord& record : profile.syscalls) {
    rows.push_back(&record);
    arches.insert(record.arch);
  }
  std::sort(rows.begin(), rows.end(), [](const SyscallRecord* a, const SyscallRecord* b) {
    return std::tie(b->count, a->name, a->arch) < std::tie(a->count, b->name, b->arch);
  });
  const uint64_t total = TotalCalls(profile);
  uint64_t total_errors = 0;
  std::string out = fmt::format("{:>7} {:>11} {:>9} {}\n", "% calls", "calls", "errors", "syscall");
  out += fmt::format("{:->7} {:->11} {:->9} {:->20}\n", "", "", "", "");
  for (const SyscallRecord* row : rows) {
    total_errors += row->errors;
    const double share = total ? 100.0 * static_cast<double>(row->count) / static_cast<double>(total) : 0;
    const std::string errors = !profile.errors_known ? "-" : row->errors ? fmt::format("{}", row->errors) : "";
    const std::string name =
        arches.size() > 1 ? fmt::format("{} ({})", row->name, ArchName(row->arch)) : row->name;
    out += fmt::format("{:>7.2f} {:>11} {:>9} {}\n", share, row->count, errors, name);
  }
  out += fmt::format("{:->7} {:->11} {:->9} {:->20}\n", "", "", "", "");
  out += fmt::format("{:>7.2f} {:>11} {:>9} total ({} syscalls, {} process images, {:.1f} ms, {} backend)\n",
                     total ? 100.0 : 0.0, total,
                     profile.errors_known ? fmt::format("{}", total_errors) : std::string("-"), rows.size(),
                     profile.process_images, profile.duration_ms, profile.backend);
  return out;
}

}  // namespace sysfence::profile
