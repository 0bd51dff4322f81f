// SPDX-License-Identifier: Apache-2.0
#include "analyze/module_graph.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "analyze/eh_frame.h"
#include "analyze/x86_function.h"

namespace sysfence::analyze {
namespace {

bool IsGotSection(const ElfSection* section) {
  return section != nullptr && (section->name == ".got" || section->name == ".got.plt");
}

bool IsPltSection(const ElfSection* section) {
  return section != nullptr && section->name.starts_with(".plt");
}

// Builds the graph of one module: relocation slots, PLT stubs, function boundaries, then every
// function analysed once.
class ModuleBuilder {
 public:
  ModuleBuilder(const ElfFile& elf, X86Decoder& decoder) : elf_(elf), decoder_(decoder) {}

  ModuleGraph Build() {
    graph_.path = elf_.path();
    graph_.soname = elf_.soname();
    graph_.build_id = elf_.build_id();
    graph_.machine = elf_.machine();
    graph_.needed = elf_.needed();
    graph_.rpath = elf_.rpath();
    graph_.runpath = elf_.runpath();
    graph_.interpreter = elf_.interpreter();
    graph_.entry = elf_.IsCode(elf_.entry()) ? elf_.entry() : 0;
    ReadRelocations();
    CollectStarts();
    AnalyzeAll();
    ReadDataPointersOfStaticProgram();
    FinishRoots();
    return std::move(graph_);
  }

 private:
  int32_t Intern(const std::string& name, bool weak) {
    auto [it, added] = import_index_.emplace(name, static_cast<int32_t>(graph_.imports.size()));
    if (added) {
      graph_.imports.push_back(name);
      graph_.import_weak.push_back(weak);
    } else if (!weak) {
      graph_.import_weak[it->second] = false;
    }
    return it->second;
  }

  void ReadRelocations() {
    for (const ElfRelocation& reloc : elf_.relocations()) {
      SlotTarget target;
      if (!reloc.symbol.empty() && !reloc.symbol_defined) {
        target.import = Intern(reloc.symbol, reloc.weak);
      } else if (!reloc.symbol.empty()) {
        const uint64_t address = reloc.symbol_value + static_cast<uint64_t>(reloc.addend);
        if (elf_.IsCode(address)) target.target = address;
      } else if (reloc.type == R_X86_64_RELATIVE || reloc.type == R_X86_64_IRELATIVE) {
        const auto address = static_cast<uint64_t>(reloc.addend);
        if (elf_.IsCode(address)) target.target = address;
      }
      if (!target.found()) continue;
      slots_[reloc.offset] = target;
      // A pointer in data (not a GOT slot that code loads or calls through) may be called by anyone.
      if (!IsGotSection(elf_.SectionAt(reloc.offset))) {
        if (target.import >= 0 && (reloc.symbol_type == STT_FUNC || reloc.symbol_type == STT_GNU_IFUNC)) {
          data_imports_.insert(target.import);
        } else if (target.target != 0) {
          pending_roots_.insert(target.target);
        }
      } else if (reloc.type == R_X86_64_IRELATIVE) {
        pending_roots_.insert(target.target);  // the resolver runs at load time
      }
    }
  }

  SlotTarget Slot(uint64_t address) {
    if (auto it = slots_.find(address); it != slots_.end()) return it->second;
    // A static program's GOT holds link-time addresses without relocations.
    if (IsGotSection(elf_.SectionAt(address))) {
      if (auto value = elf_.U64At(address); value && elf_.IsCode(*value)) return SlotTarget{-1, *value};
    }
    return {};
  }

  SlotTarget Stub(uint64_t address) {
    if (!IsPltSection(elf_.SectionAt(address))) return {};
    if (auto it = stubs_.find(address); it != stubs_.end()) return it->second;
    SlotTarget found;
    auto bytes = elf_.BytesAt(address, 16);
    for (const X86Instruction& insn : decoder_.DecodeSome(bytes, address, 4)) {
      uint64_t slot = 0;
      if (insn.flow == X86Flow::kJump && insn.RipTarget(&slot)) {
        found = Slot(slot);
        break;
      }
    }
    stubs_[address] = found;
    return found;
  }

  void AddStart(uint64_t address, uint64_t size) {
    if (!elf_.IsCode(address) || IsPltSection(elf_.SectionAt(address))) return;
    auto& known = sizes_[address];
    known = std::max(known, size);
  }

  void CollectStarts() {
    for (const ElfSymbol& symbol : elf_.symbols()) {
      if (symbol.shndx == SHN_UNDEF) continue;
      if (symbol.dynamic && !symbol.name.empty() && (symbol.bind == STB_GLOBAL || symbol.bind == STB_WEAK) &&
          symbol.type != STT_FUNC && symbol.type != STT_GNU_IFUNC) {
        graph_.exports.emplace(symbol.name, symbol.value);  // data: binds imports, reaches no code
      }
      if (symbol.type != STT_FUNC && symbol.type != STT_GNU_IFUNC) continue;
      AddStart(symbol.value, symbol.size);
      if (!symbol.name.empty() && elf_.IsCode(symbol.value)) {
        auto& name = names_[symbol.value];
        if (name.empty() || (symbol.dynamic && symbol.bind == STB_GLOBAL)) name = symbol.name;
        if (symbol.dynamic && (symbol.bind == STB_GLOBAL || symbol.bind == STB_WEAK)) {
          graph_.exports.emplace(symbol.name, symbol.value);
        }
      }
    }
    std::string warning;
    for (const auto& [start, size] : FunctionRangesFromEhFrame(elf_, &warning)) AddStart(start, size);
    if (!warning.empty()) graph_.warnings.push_back(warning);
    if (graph_.entry != 0) AddStart(graph_.entry, 0);
    for (auto address : {elf_.init_function(), elf_.fini_function()}) {
      if (address) {
        AddStart(*address, 0);
        pending_roots_.insert(*address);
      }
    }
    for (uint64_t address : elf_.init_fini_pointers()) {
      AddStart(address, 0);
      pending_roots_.insert(address);
    }
    for (uint64_t address : pending_roots_) AddStart(address, 0);
  }

  // The end of the function starting at `start`: its known size, else the next known start.
  uint64_t EndOf(uint64_t start) const {
    const ElfSection* section = elf_.SectionAt(start);
    const uint64_t section_end = section->addr + section->size;
    auto it = sizes_.find(start);
    if (it != sizes_.end() && it->second != 0) return std::min(start + it->second, section_end);
    auto next = sizes_.upper_bound(start);
    return next == sizes_.end() ? section_end : std::min(next->first, section_end);
  }

  void AnalyzeAll() {
    X86Context context;
    context.slot = [this](uint64_t address) { return Slot(address); };
    context.stub = [this](uint64_t address) { return Stub(address); };
    context.is_code = [this](uint64_t address) { return elf_.IsCode(address); };
    context.absolute_addresses = elf_.type() == ET_EXEC;
    std::set<uint64_t> done;
    size_t undecodable = 0;
    for (bool grew = true; grew;) {
      grew = false;
      std::vector<uint64_t> starts;
      for (const auto& [start, size] : sizes_) {
        if (!done.contains(start)) starts.push_back(start);
      }
      for (uint64_t start : starts) {
        done.insert(start);
        const uint64_t end = EndOf(start);
        auto bytes = elf_.BytesAt(start, end - start);
        if (bytes.empty()) continue;
        const std::vector<X86Instruction> instructions = decoder_.DecodeRange(bytes, start, &undecodable);
        for (const X86Instruction& insn : instructions) boundaries_.insert(insn.address);
        Function function = AnalyzeX86Function(instructions, start, end, context);
        if (auto name = names_.find(start); name != names_.end()) function.name = name->second;
        analyzed_[start] = std::move(function);
      }
      // Targets inside no known function start new ones (stripped code without unwind tables).
      for (const auto& [start, function] : analyzed_) {
        for (const CallSite& call : function.calls) grew |= AddDiscovered(call.target, call.import);
        for (uint64_t reference : function.references) grew |= AddDiscovered(reference, -1);
      }
    }
    if (undecodable > 0) {
      graph_.warnings.push_back(fmt::format("{} bytes of code Capstone could not decode were skipped", undecodable));
    }
    for (auto& [start, function] : analyzed_) graph_.functions.push_back(std::move(function));
  }

  bool AddDiscovered(uint64_t target, int32_t import) {
    if (import >= 0 || target == 0 || !elf_.IsCode(target) || sizes_.contains(target)) return false;
    auto it = analyzed_.upper_bound(target);
    // Inside a known function, at one of its instructions: a jump target. Between two of its
    // instructions: the range started mid-instruction (glibc's signal return trampoline has its
    // unwind entry start one byte early), so the target starts code of its own.
    if (it != analyzed_.begin() && target < std::prev(it)->second.end && boundaries_.contains(target)) return false;
    AddStart(target, 0);
    return sizes_.contains(target);
  }

  // A static, non-PIE program keeps function pointers in data without relocations.
  void ReadDataPointersOfStaticProgram() {
    if (elf_.type() != ET_EXEC) return;
    for (const ElfSection& section : elf_.sections()) {
      if ((section.flags & SHF_ALLOC) == 0 || (section.flags & SHF_EXECINSTR) != 0 || section.type == SHT_NOBITS) continue;
      for (uint64_t address = (section.addr + 7) & ~uint64_t{7}; address + 8 <= section.addr + section.size; address += 8) {
        auto value = elf_.U64At(address);
        if (value && analyzed_.contains(*value)) pending_roots_.insert(*value);
      }
    }
  }

  void FinishRoots() {
    graph_.roots.assign(pending_roots_.begin(), pending_roots_.end());
    graph_.root_imports.assign(data_imports_.begin(), data_imports_.end());
  }

  const ElfFile& elf_;
  X86Decoder& decoder_;
  ModuleGraph graph_;
  std::unordered_map<std::string, int32_t> import_index_;
  std::unordered_map<uint64_t, SlotTarget> slots_;
  std::unordered_map<uint64_t, SlotTarget> stubs_;
  std::map<uint64_t, uint64_t> sizes_;  // function start -> size (0: unknown)
  std::unordered_map<uint64_t, std::string> names_;
  std::map<uint64_t, Function> analyzed_;
  std::unordered_set<uint64_t> boundaries_;  // every decoded instruction's address
  std::set<uint64_t> pending_roots_;
  std::set<int32_t> data_imports_;
};

}  // namespace

Value CallSite::Argument(int reg) const {
  for (const auto& [r, value] : arguments) {
    if (r == reg) return value;
  }
  return Value::Unknown();
}

const Function* ModuleGraph::FunctionAt(uint64_t address) const {
  auto it = std::upper_bound(functions.begin(), functions.end(), address,
                             [](uint64_t a, const Function& f) { return a < f.start; });
  if (it == functions.begin()) return nullptr;
  --it;
  return address < it->end || address == it->start ? &*it : nullptr;
}

std::string ModuleGraph::DisplayName(const Function& f) {
  return f.name.empty() ? fmt::format("sub_{:x}", f.start) : f.name;
}

Result<ModuleGraph> BuildModuleGraph(const ElfFile& elf) {
  if (elf.machine() != EM_X86_64) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: an {} file; sysfence analyze reads x86_64 code only so far", elf.path(),
                                 MachineName(elf.machine())));
  }
  auto decoder = X86Decoder::Create();
  if (!decoder.ok()) return decoder.error();
  ModuleGraph graph = ModuleBuilder(elf, **decoder).Build();
  if (graph.functions.empty()) {
    graph.warnings.push_back("no code found (no executable section with functions)");
  }
  ComputeSyscallWrappers(&graph);
  return graph;
}

void ComputeSyscallWrappers(ModuleGraph* graph) {
  for (Function& f : graph->functions) {
    f.number_registers = 0;
    for (const SyscallSite& site : f.syscalls) {
      if (site.number.entry >= 0 && !site.number.unknown) f.number_registers |= 1u << site.number.entry;
    }
  }
  // A function that hands one of its entry registers to a wrapper's number register is a wrapper too.
  for (bool changed = true; changed;) {
    changed = false;
    for (Function& f : graph->functions) {
      for (const CallSite& call : f.calls) {
        if (call.import >= 0) continue;
        const Function* callee = graph->FunctionAt(call.target);
        if (callee == nullptr || callee->number_registers == 0) continue;
        for (int reg = 0; reg < kGprCount; ++reg) {
          if ((callee->number_registers & (1u << reg)) == 0) continue;
          const Value value = call.Argument(reg);
          if (value.entry >= 0 && !value.unknown && (f.number_registers & (1u << value.entry)) == 0) {
            f.number_registers |= 1u << value.entry;
            changed = true;
          }
        }
      }
    }
  }
}

}  // namespace sysfence::analyze
