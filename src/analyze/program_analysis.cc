// SPDX-License-Identifier: Apache-2.0
#include "analyze/program_analysis.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "analyze/elf_file.h"
#include "analyze/module_cache.h"
#include "analyze/module_graph.h"
#include "syscalls/syscalls.h"

namespace sysfence::analyze {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string CanonicalPath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

// One loaded module and which of its functions are reached.
struct Loaded {
  ModuleGraph graph;
  std::string name;
  std::vector<bool> reached;
  std::vector<bool> via_pointer;  // reached as a root or through a taken address
};

class Linker {
 public:
  explicit Linker(const AnalyzeOptions& options) : options_(options) {}

  Result<Analysis> Run(const std::string& path) {
    auto program = LoadModule(path);
    if (!program.ok()) return program.error();
    analysis_.program = path;
    AddModule(std::move(program.value()));
    const ModuleGraph& main = modules_[0].graph;
    // A shared library (it has a soname; libc also has an entry point and an interpreter).
    analysis_.library_mode = !main.soname.empty() || (main.interpreter.empty() && main.entry == 0);
    LoadDependencies();
    BindExports();
    Seed();
    Propagate();
    ReportWrappersReachedThroughPointers();
    Finish();
    return std::move(analysis_);
  }

 private:
  Result<ModuleGraph> LoadModule(const std::string& path) {
    return LoadModuleGraph(path, options_.cache_folder, &from_cache_);
  }

  void AddModule(ModuleGraph graph) {
    Loaded loaded;
    loaded.name = BaseName(graph.path);
    loaded.reached.assign(graph.functions.size(), false);
    loaded.via_pointer.assign(graph.functions.size(), false);
    ModuleSummary summary;
    summary.path = graph.path;
    summary.build_id = graph.build_id;
    summary.from_cache = from_cache_;
    summary.functions = graph.functions.size();
    summary.warnings = graph.warnings;
    if (graph.build_id.empty()) summary.warnings.push_back("no build-id note: not cached");
    analysis_.modules.push_back(std::move(summary));
    loaded.graph = std::move(graph);
    modules_.push_back(std::move(loaded));
  }

  // Breadth-first over DT_NEEDED, as the loader orders its global scope; the interpreter last
  // unless a library named it already.
  void LoadDependencies() {
    const auto ld_cache = ReadLdCache(options_.search.ld_cache);
    std::map<std::string, bool> seen{{CanonicalPath(modules_[0].graph.path), true}};
    auto load = [&](const std::string& file, const std::string& needed_by) {
      const std::string canonical = CanonicalPath(file);
      if (seen.contains(canonical)) return;
      seen[canonical] = true;
      auto graph = LoadModule(file);
      if (!graph.ok()) {
        analysis_.not_analyzed.push_back(fmt::format("{} (needed by {}): {}", file, needed_by, graph.error().message));
        return;
      }
      AddModule(std::move(graph.value()));
    };
    for (size_t i = 0; i < modules_.size(); ++i) {
      const ModuleGraph& module = modules_[i].graph;
      const std::vector<std::string> needed = module.needed;
      const std::string loader = module.path, rpath = module.rpath, runpath = module.runpath;
      for (const std::string& name : needed) {
        const std::string file = FindLibrary(name, loader, rpath, runpath, EM_X86_64, options_.search, ld_cache);
        if (file.empty()) {
          analysis_.not_analyzed.push_back(
              fmt::format("{} (needed by {}): not found in RPATH/RUNPATH, --library-path, {} or the default folders",
                          name, BaseName(loader), options_.search.ld_cache));
          continue;
        }
        load(file, BaseName(loader));
      }
    }
    const std::string interpreter = modules_[0].graph.interpreter;
    if (!interpreter.empty()) {
      load(interpreter, "the program (PT_INTERP)");
      for (size_t i = 0; i < modules_.size(); ++i) {
        if (CanonicalPath(modules_[i].graph.path) == CanonicalPath(interpreter)) interpreter_ = static_cast<int>(i);
      }
    }
  }

  void BindExports() {
    for (size_t m = 0; m < modules_.size(); ++m) {
      for (const auto& [name, address] : modules_[m].graph.exports) {
        auto [it, added] = bound_module_.emplace(name, m);
        if (it->second == m) bound_[name].push_back(address);
      }
    }
  }

  void Reach(size_t m, uint64_t address, bool via_pointer) {
    const Function* f = modules_[m].graph.FunctionAt(address);
    if (f == nullptr) return;
    const auto index = static_cast<size_t>(f - modules_[m].graph.functions.data());
    if (via_pointer) modules_[m].via_pointer[index] = true;
    if (modules_[m].reached[index]) return;
    modules_[m].reached[index] = true;
    work_.emplace_back(m, index);
  }

  // The module and addresses import `import` of module `m` binds to.
  const std::vector<uint64_t>* Resolve(size_t m, int32_t import, size_t* target_module) {
    const std::string& name = modules_[m].graph.imports[import];
    auto it = bound_module_.find(name);
    if (it == bound_module_.end()) {
      if (!modules_[m].graph.import_weak[import]) missing_.insert(fmt::format("{} (used by {})", name, modules_[m].name));
      return nullptr;
    }
    *target_module = it->second;
    return &bound_[name];
  }

  void ReachImport(size_t m, int32_t import, bool via_pointer) {
    size_t target = 0;
    if (const auto* addresses = Resolve(m, import, &target)) {
      for (uint64_t address : *addresses) Reach(target, address, via_pointer);
    }
  }

  void Seed() {
    if (analysis_.library_mode) {
      for (const auto& [name, address] : modules_[0].graph.exports) Reach(0, address, true);
    }
    if (modules_[0].graph.entry != 0 && !analysis_.library_mode) Reach(0, modules_[0].graph.entry, true);
    if (interpreter_ >= 0 && modules_[interpreter_].graph.entry != 0) {
      Reach(interpreter_, modules_[interpreter_].graph.entry, true);
    }
    for (size_t m = 0; m < modules_.size(); ++m) {
      for (uint64_t root : modules_[m].graph.roots) Reach(m, root, true);
      for (int32_t import : modules_[m].graph.root_imports) ReachImport(m, import, true);
    }
  }

  void AddSyscall(bool i386, uint64_t number, const SyscallOrigin& origin) {
    const Arch arch = i386 ? Arch::kX86 : ((number & kX32SyscallBit) != 0 ? Arch::kX32 : Arch::kX86_64);
    std::optional<std::string_view> name;
    if (number <= UINT32_MAX) name = syscalls::NameOf(arch, static_cast<uint32_t>(number));
    if (!name) {
      Unresolved(origin, fmt::format("number {} is no {} syscall (a constant that only looks like a number)",
                                     number, ArchName(arch)));
      return;
    }
    FoundSyscall& found = found_[{arch, std::string(*name)}];
    found.arch = arch;
    found.name = std::string(*name);
    found.number = static_cast<uint32_t>(number);
    if (found.origins.size() < FoundSyscall::kMaxOrigins) found.origins.push_back(origin);
  }

  void Unresolved(const SyscallOrigin& where, std::string reason) {
    analysis_.unresolved.push_back(UnresolvedSite{where.module, where.function, where.address, std::move(reason)});
  }

  // A call into a wrapper (a function whose number comes from an entry register).
  void CallWrapper(const Function& caller, const std::string& module, const CallSite& call, const Function& callee,
                   bool same_module) {
    for (int reg = 0; reg < kGprCount; ++reg) {
      if ((callee.number_registers & (1u << reg)) == 0) continue;
      const Value value = call.Argument(reg);
      const SyscallOrigin origin{module, ModuleGraph::DisplayName(caller) + " via " + ModuleGraph::DisplayName(callee),
                                 call.address};
      for (int i = 0; i < value.count && !value.unknown; ++i) AddSyscall(false, value.constants[i], origin);
      if (value.unknown || (value.entry >= 0 && !same_module)) {
        Unresolved(origin, fmt::format("the number passed to {} is not a constant here", ModuleGraph::DisplayName(callee)));
      }
    }
  }

  void Visit(size_t m, size_t index) {
    const Function& f = modules_[m].graph.functions[index];
    const std::string& module = modules_[m].name;
    for (const SyscallSite& site : f.syscalls) {
      const SyscallOrigin origin{module, ModuleGraph::DisplayName(f), site.address};
      for (int i = 0; i < site.number.count && !site.number.unknown; ++i) {
        AddSyscall(site.i386, site.number.constants[i], origin);
      }
      if (site.number.unknown) Unresolved(origin, "the number is not a constant within the function");
    }
    for (const CallSite& call : f.calls) {
      if (call.import < 0) {
        Reach(m, call.target, false);
        const Function* callee = modules_[m].graph.FunctionAt(call.target);
        if (callee != nullptr && callee->number_registers != 0) CallWrapper(f, module, call, *callee, true);
        continue;
      }
      size_t target = 0;
      const auto* addresses = Resolve(m, call.import, &target);
      if (addresses == nullptr) continue;
      for (uint64_t address : *addresses) {
        Reach(target, address, false);
        const Function* callee = modules_[target].graph.FunctionAt(address);
        if (callee != nullptr && callee->number_registers != 0) CallWrapper(f, module, call, *callee, false);
      }
    }
    for (uint64_t reference : f.references) Reach(m, reference, true);
    for (int32_t import : f.import_references) ReachImport(m, import, true);
  }

  void Propagate() {
    while (!work_.empty()) {
      const auto [m, index] = work_.front();
      work_.pop_front();
      Visit(m, index);
    }
  }

  // A wrapper reached through a pointer gets its number from callers the analysis cannot see.
  void ReportWrappersReachedThroughPointers() {
    for (const Loaded& loaded : modules_) {
      for (size_t i = 0; i < loaded.graph.functions.size(); ++i) {
        const Function& f = loaded.graph.functions[i];
        if (!loaded.via_pointer[i] || f.number_registers == 0) continue;
        for (const SyscallSite& site : f.syscalls) {
          if (site.number.entry < 0) continue;
          Unresolved(SyscallOrigin{loaded.name, ModuleGraph::DisplayName(f), site.address},
                     "a syscall wrapper whose address is taken: callers through the pointer are not seen");
        }
      }
    }
  }

  void Finish() {
    // Made by every program, but not from its code: the exec that starts it, and the kernel's own
    // restart of an interrupted call.
    AddSyscall(false, *syscalls::NumberOf(Arch::kX86_64, "execve"), {"kernel", "the execve(2) that starts the program", 0});
    AddSyscall(false, *syscalls::NumberOf(Arch::kX86_64, "restart_syscall"),
               {"kernel", "restarts a call a signal interrupted", 0});
    for (auto& [key, found] : found_) analysis_.syscalls.push_back(std::move(found));
    for (size_t m = 0; m < modules_.size(); ++m) {
      analysis_.modules[m].reachable =
          static_cast<size_t>(std::count(modules_[m].reached.begin(), modules_[m].reached.end(), true));
    }
    analysis_.missing_symbols.assign(missing_.begin(), missing_.end());
    std::sort(analysis_.unresolved.begin(), analysis_.unresolved.end(), [](const auto& a, const auto& b) {
      return std::tie(a.module, a.address, a.reason) < std::tie(b.module, b.address, b.reason);
    });
    analysis_.unresolved.erase(std::unique(analysis_.unresolved.begin(), analysis_.unresolved.end(),
                                           [](const auto& a, const auto& b) {
                                             return a.module == b.module && a.address == b.address && a.reason == b.reason;
                                           }),
                               analysis_.unresolved.end());
  }

  const AnalyzeOptions& options_;
  Analysis analysis_;
  std::vector<Loaded> modules_;
  int interpreter_ = -1;
  bool from_cache_ = false;
  std::unordered_map<std::string, size_t> bound_module_;
  std::unordered_map<std::string, std::vector<uint64_t>> bound_;
  std::deque<std::pair<size_t, size_t>> work_;
  std::map<std::pair<Arch, std::string>, FoundSyscall> found_;
  std::set<std::string> missing_;
};

}  // namespace

Result<Analysis> AnalyzeProgram(const std::string& path, const AnalyzeOptions& options) {
  return Linker(options).Run(path);
}

}  // namespace sysfence::analyze
