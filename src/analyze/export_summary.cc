// SPDX-License-Identifier: Apache-2.0
#include "analyze/export_summary.h"

#include <set>

#include "syscalls/syscalls.h"

namespace sysfence::analyze {
namespace {

std::string NameFor(bool i386, uint64_t number) {
  const Arch arch = i386 ? Arch::kX86 : Arch::kX86_64;
  if (number > UINT32_MAX) return "";
  auto name = syscalls::NameOf(arch, static_cast<uint32_t>(number));
  if (!name) return "";
  return i386 ? std::string(*name) + " (i386)" : std::string(*name);
}

}  // namespace

std::map<std::string, ExportSummary> SummarizeExports(const ModuleGraph& graph) {
  std::map<std::string, ExportSummary> out;
  for (const auto& [name, address] : graph.exports) {
    const Function* start = graph.FunctionAt(address);
    if (start == nullptr || start->start != address) continue;
    std::set<std::string> found;
    std::set<int32_t> imports;
    size_t unresolved = 0;
    std::set<const Function*> seen{start};
    std::vector<const Function*> work{start};
    while (!work.empty()) {
      const Function* f = work.back();
      work.pop_back();
      for (const SyscallSite& site : f->syscalls) {
        for (int i = 0; i < site.number.count && !site.number.unknown; ++i) {
          if (auto text = NameFor(site.i386, site.number.constants[i]); !text.empty()) found.insert(text);
        }
        if (site.number.unknown || (f == start && site.number.entry >= 0)) ++unresolved;
      }
      auto visit = [&](uint64_t target) {
        const Function* next = graph.FunctionAt(target);
        if (next != nullptr && seen.insert(next).second) work.push_back(next);
      };
      for (const CallSite& call : f->calls) {
        if (call.import >= 0) {
          imports.insert(call.import);
          continue;
        }
        visit(call.target);
        const Function* callee = graph.FunctionAt(call.target);
        if (callee == nullptr || callee->number_registers == 0) continue;
        for (int reg = 0; reg < kGprCount; ++reg) {
          if ((callee->number_registers & (1u << reg)) == 0) continue;
          const Value value = call.Argument(reg);
          for (int i = 0; i < value.count && !value.unknown; ++i) {
            if (auto text = NameFor(false, value.constants[i]); !text.empty()) found.insert(text);
          }
          if (value.unknown) ++unresolved;
        }
      }
      for (uint64_t reference : f->references) visit(reference);
      for (int32_t import : f->import_references) imports.insert(import);
    }
    ExportSummary& summary = out[name];
    summary.syscalls.assign(found.begin(), found.end());
    summary.imports_called = imports.size();
    summary.unresolved_sites = unresolved;
  }
  return out;
}

}  // namespace sysfence::analyze
