// SPDX-License-Identifier: Apache-2.0
// What static analysis learns from one ELF module (a program or a shared library) on its own: its
// functions, the syscall sites in each with the numbers they may use, the calls between functions
// and into other modules, the functions whose addresses are taken, and its roots (entry point,
// constructors, function pointers in data). The program analysis links several of these; the
// cache stores them by build-id so a library is disassembled once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analyze/elf_file.h"
#include "analyze/value.h"
#include "core/result.h"

namespace sysfence::analyze {

/// A `syscall` (x86_64 ABI) or `int 0x80` (i386 ABI) instruction and the number it may use.
struct SyscallSite {
  uint64_t address = 0;
  bool i386 = false;  ///< int 0x80 / sysenter: the number is an i386 syscall number
  Value number;
};

/// Argument registers whose values a call site keeps (what a syscall wrapper may read its number
/// from): rdi, rsi, rdx, rcx, r8, r9 (System V) and rax (Go's internal ABI).
inline constexpr Gpr kArgumentRegisters[] = {kRdi, kRsi, kRdx, kRcx, kR8, kR9, kRax};

/// A direct call or tail jump: to a function of this module (`target`) or to an imported symbol
/// (`import` indexes ModuleGraph::imports).
struct CallSite {
  uint64_t address = 0;
  uint64_t target = 0;
  int32_t import = -1;
  std::vector<std::pair<int8_t, Value>> arguments;  ///< known argument registers only

  /// The value of register `reg` at the call (unknown when not kept).
  Value Argument(int reg) const;
};

/// One function of a module.
struct Function {
  uint64_t start = 0;
  uint64_t end = 0;
  std::string name;  ///< symbol name, or empty when the module has none for it
  std::vector<SyscallSite> syscalls;
  std::vector<CallSite> calls;
  std::vector<uint64_t> references;        ///< functions of this module whose address it takes
  std::vector<int32_t> import_references;  ///< imported symbols whose address it loads
  /// Entry registers whose value can end up as a syscall number (a wrapper like syscall(2)).
  uint32_t number_registers = 0;  ///< bit per Gpr
};

/// Everything learnt from one module.
struct ModuleGraph {
  std::string path;
  std::string soname;
  std::string build_id;
  uint16_t machine = 0;
  std::vector<std::string> needed;
  std::string rpath, runpath, interpreter;
  std::vector<Function> functions;  ///< sorted by start
  std::vector<std::string> imports;  ///< undefined symbols the module uses
  std::vector<bool> import_weak;     ///< parallel to imports
  std::multimap<std::string, uint64_t> exports;  ///< defined dynamic function symbols
  uint64_t entry = 0;  ///< e_entry (a root for the program and the interpreter only)
  std::vector<uint64_t> roots;  ///< run or reachable whenever the module is loaded
  std::vector<int32_t> root_imports;  ///< imports whose address lies in the module's data
  std::vector<std::string> warnings;  ///< what could not be analysed in this module

  /// The function containing `address`, or nullptr.
  const Function* FunctionAt(uint64_t address) const;
  /// The display name of function `f` ("name" or "sub_1234").
  static std::string DisplayName(const Function& f);
};

/// Analyses one x86_64 module. Errors: another architecture, no code (kInvalidInput).
Result<ModuleGraph> BuildModuleGraph(const ElfFile& elf);

/// Computes Function::number_registers for every function (a fixpoint over the module's calls).
void ComputeSyscallWrappers(ModuleGraph* graph);

}  // namespace sysfence::analyze
