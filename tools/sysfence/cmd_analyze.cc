// SPDX-License-Identifier: Apache-2.0
// `sysfence analyze`: the syscalls a program and the libraries it loads can make, read from the
// code before it ever runs.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analyze/analysis_json.h"
#include "analyze/module_cache.h"
#include "analyze/program_analysis.h"
#include "analyze/recording_union.h"
#include "policy/printer.h"
#include "record/generate.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/output_file.h"
#include "tools/sysfence/record_common.h"

namespace sysfence::cli {
namespace {

constexpr const char* kAnalyzeHelp =
    "Reads ELF (a program or a shared library) and the libraries it needs, as the dynamic loader\n"
    "would find them, disassembles them with Capstone and lists the syscalls the code can make: it\n"
    "follows calls from the entry points, constructors (.init_array) and functions whose address is\n"
    "taken, through the PLT and GOT into the libraries, and propagates constants to learn the number\n"
    "each `syscall` instruction (or `int 0x80`, or a call to syscall(2)) uses. Sites whose number it\n"
    "cannot learn are listed with their address and function, never dropped.\n"
    "\n"
    "The set over-approximates: it holds what the code can reach, not what a run does. It cannot see\n"
    "libraries loaded with dlopen(3), generated code, or other programs the program runs (analyse\n"
    "those separately). Unite it with a recording (`sysfence record --analyze`, or `sysfence merge`\n"
    "of this command's --json with a recording's) to see which syscalls a run never made.\n"
    "\n"
    "Libraries are analysed once and cached by build-id in $XDG_CACHE_HOME/sysfence/analyze (else\n"
    "~/.cache/sysfence/analyze); --cache DIR chooses another folder, --no-cache none.\n"
    "\n"
    "Exit status: 0 analysed; 1 analysed in part (a library not found: the list says which); 2 bad\n"
    "input (not an ELF file, truncated, another architecture; nothing written).\n"
    "\n"
    "Examples:\n"
    "  sysfence analyze /usr/bin/gzip\n"
    "  sysfence analyze -o gzip.sfp --json gzip-analysis.json /usr/bin/gzip\n"
    "  sysfence merge gzip-analysis.json run1.json -o gzip.sfp   # with a recording\n"
    "\n"
    "docs/analyze.md has the details and the measured soundness and precision.";

struct AnalyzeFlags {
  std::string elf;
  std::string arch = "x86_64";
  std::string output;
  std::string json_path;
  std::string cache;
  bool no_cache = false;
  std::vector<std::string> library_path;
  std::string default_action = "EPERM";
  bool verbose = false;
  bool quiet = false;
};

int AnalyzeCommand(const AnalyzeFlags& flags) {
  if (flags.arch != "x86_64") {
    std::fprintf(stderr, "sysfence: error: --arch %s: only x86_64 is analysed so far\n", flags.arch.c_str());
    return kExitBadInput;
  }
  auto default_action = ParseDefaultAction(flags.default_action);
  if (!default_action.ok()) return ReportError(default_action.error());
  for (const std::string& path : {flags.output, flags.json_path}) {
    if (auto writable = CheckOutputPath(path); !writable.ok()) return ReportError(writable.error());
  }
  analyze::AnalyzeOptions options;
  options.cache_folder = flags.no_cache ? "" : (flags.cache.empty() ? analyze::DefaultCacheFolder() : flags.cache);
  options.search.extra_folders = flags.library_path;
  auto analysis = analyze::AnalyzeProgram(flags.elf, options);
  if (!analysis.ok()) {
    std::fprintf(stderr, "sysfence: error: %s\n", analysis.error().message.c_str());
    return kExitBadInput;
  }
  if (!flags.output.empty()) {
    const record::Profile profile = analyze::ProfileFromAnalysis(*analysis);
    record::GenerateOptions generate;
    generate.default_action = default_action.value();
    policy::Policy policy = record::GeneratePolicy(profile, generate);
    analyze::AnnotatePolicySources(&policy, *analysis, nullptr);
    if (auto written = WriteOutputFile(flags.output, record::RenderGeneratedPolicy(profile, policy)); !written.ok()) {
      return ReportError(written.error());
    }
  }
  if (!flags.json_path.empty()) {
    if (auto written = WriteOutputFile(flags.json_path, analyze::AnalysisToJson(*analysis).dump(2) + "\n"); !written.ok()) {
      return ReportError(written.error());
    }
  }
  const bool to_stdout = flags.output == "-" || flags.json_path == "-";
  if (!flags.quiet) std::fputs(analyze::RenderAnalysis(*analysis, flags.verbose).c_str(), to_stdout ? stderr : stdout);
  return analysis->complete() ? kExitOk : kExitFindings;
}

const CommandRegistration kRegistration(22, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("analyze", "List the syscalls a program can make, read from its code");
  sub->footer(kAnalyzeHelp);
  auto flags = std::make_shared<AnalyzeFlags>();
  sub->add_option("elf", flags->elf, "The program or shared library (an ELF file)")->required();
  sub->add_option("--arch", flags->arch, "The ABI to analyse for (x86_64, the default and only one so far)");
  sub->add_option("-o,--output", flags->output, "Write a policy allowing every syscall found to FILE (- for stdout)");
  sub->add_option("--json", flags->json_path, "Write the analysis as JSON to FILE (for sysfence merge)");
  sub->add_option("--cache", flags->cache, "Cache library analyses in DIR");
  sub->add_flag("--no-cache", flags->no_cache, "Neither read nor write the library cache");
  sub->add_option("--library-path,-L", flags->library_path, "Also look for libraries in DIR (before RUNPATH)");
  sub->add_option("--default", flags->default_action, "With -o: what other syscalls get: an errno name or kill");
  sub->add_flag("--verbose,-v", flags->verbose, "Every unresolved site and per-module counts");
  sub->add_flag("--quiet,-q", flags->quiet, "Print nothing but errors");
  sub->callback([flags, exit_status] { *exit_status = AnalyzeCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
