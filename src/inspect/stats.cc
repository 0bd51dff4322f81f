// SPDX-License-Identifier: Apache-2.0
#include "inspect/stats.h"

#include <cassert>

#include "inspect/cache_analysis.h"
#include "bpf/evaluator.h"
#include "ir/build.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {

PathStats MeasurePaths(const bpf::Program& program, Arch arch, uint32_t first, uint32_t last) {
  PathStats stats;
  if (first > last) return stats;
  bpf::SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  double total = 0;
  for (uint64_t nr = first; nr <= last; ++nr) {
    data.nr = static_cast<int32_t>(static_cast<uint32_t>(nr));
    auto run = bpf::Evaluate(program, data);
    assert(run.ok());
    if (!run.ok()) continue;
    total += static_cast<double>(run->executed);
    if (run->executed > stats.worst) {
      stats.worst = run->executed;
      stats.worst_nr = static_cast<uint32_t>(nr);
    }
  }
  stats.mean = total / static_cast<double>(uint64_t{last} - first + 1);
  return stats;
}

CompileStats ComputeStats(const bpf::Program& program, const policy::Policy& policy) {
  CompileStats stats;
  stats.instructions = program.size();
  if (policy.arches.empty()) return stats;
  const Arch first_arch = policy.arches.front();
  const auto table = syscalls::AllOf(first_arch);
  if (!table.empty()) {
    const PathStats paths =
        MeasurePaths(program, first_arch, GetArchInfo(first_arch).nr_bias, table.back().number);
    stats.worst_path = paths.worst;
    stats.mean_path = paths.mean;
  }
  auto ir = ir::BuildIr(policy);
  if (!ir.ok()) return stats;
  for (const ir::ArchTable& arch_table : ir->tables) {
    const uint32_t audit = GetArchInfo(arch_table.arch).audit_arch;
    for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch_table.arch)) {
      const ir::Node& node = ir->nodes[ir::Ir::Lookup(arch_table, entry.number)];
      if (!node.is_leaf || node.outcome.action != Action::Allow()) continue;
      ++stats.allows;
      if (IsConstantAllow(program, audit, static_cast<int32_t>(entry.number))) ++stats.cacheable_allows;
    }
  }
  return stats;
}

}  // namespace sysfence::inspect
