// SPDX-License-Identifier: Apache-2.0
// Whole-program analysis: the program, its interpreter and every library it needs (recursively),
// each module's graph (from the cache or built), imports bound to exports in load order, then the
// functions reachable from the entry points, constructors and address-taken functions, and the
// syscalls their sites can make.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/library_search.h"
#include "core/arch.h"
#include "core/result.h"

namespace sysfence::analyze {

/// How to analyse.
struct AnalyzeOptions {
  std::string cache_folder;  ///< "" disables the cache
  LibrarySearch search;
};

/// Where a syscall was found.
struct SyscallOrigin {
  std::string module;    ///< file name of the module ("libc.so.6")
  std::string function;  ///< the function with the site, or the caller passing the number to a wrapper
  uint64_t address = 0;  ///< the site or call (0 for implicit syscalls)
};

/// One syscall the program can make.
struct FoundSyscall {
  Arch arch = Arch::kX86_64;
  std::string name;
  uint32_t number = 0;
  std::vector<SyscallOrigin> origins;  ///< the first few places (at most kMaxOrigins)
  static constexpr size_t kMaxOrigins = 3;
};

/// A site whose number the analysis could not resolve (never dropped silently).
struct UnresolvedSite {
  std::string module;
  std::string function;
  uint64_t address = 0;
  std::string reason;
};

/// One module that took part.
struct ModuleSummary {
  std::string path;
  std::string build_id;
  bool from_cache = false;
  size_t functions = 0;
  size_t reachable = 0;
  std::vector<std::string> warnings;
};

/// The result.
struct Analysis {
  std::string program;
  Arch arch = Arch::kX86_64;
  bool library_mode = false;  ///< the input was a shared library: every export is a root
  std::vector<FoundSyscall> syscalls;  ///< sorted by (arch, name)
  std::vector<UnresolvedSite> unresolved;
  std::vector<ModuleSummary> modules;
  std::vector<std::string> not_analyzed;  ///< what could not be analysed, and why
  std::vector<std::string> missing_symbols;  ///< non-weak imports no module defines
  /// True when everything the program loads was analysed (unresolved sites may still exist).
  bool complete() const { return not_analyzed.empty(); }
};

/// Analyses the program at `path`. Errors (kInvalidInput, kNotFound): the program itself cannot be
/// read or is not an x86_64 ELF file. A missing or unreadable library is not an error: the result
/// names it in not_analyzed.
Result<Analysis> AnalyzeProgram(const std::string& path, const AnalyzeOptions& options);

}  // namespace sysfence::analyze
