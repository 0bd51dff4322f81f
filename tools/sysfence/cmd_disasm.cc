// SPDX-License-Identifier: Apache-2.0
// `sysfence disasm`: a seccomp filter (raw .bpf, a policy, or a running process's filters) as text.
// Also home of LoadProgramInput, which `sysfence eval` shares (declared in cmd_program_input.h).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "inspect/cache_analysis.h"
#include "inspect/disassembler.h"
#include "inspect/explorer.h"
#include "bpf/raw_file.h"
#include "bpf/text_assembler.h"
#include "bpf/verifier.h"
#include "codegen/compile.h"
#include "core/suggest.h"
#include "formats/load.h"
#include "os/process_filters.h"
#include "syscalls/syscalls.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/cmd_program_input.h"
#include "tools/sysfence/command.h"

namespace sysfence::cli {

namespace {

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool LooksLikeText(const std::string& bytes) { return bytes.find('\0') == std::string::npos && !bytes.empty(); }

}  // namespace

int ParseArchFlag(const std::string& name, std::optional<Arch>* arch) {
  if (name.empty()) return kExitOk;
  *arch = ArchFromName(name);
  if (*arch) return kExitOk;
  std::vector<std::string_view> known;
  for (Arch a : AllArches()) known.push_back(ArchName(a));
  std::fprintf(stderr, "sysfence: error: unknown arch '%s'%s\n", name.c_str(), DidYouMean(name, known).c_str());
  return kExitBadInput;
}

int LoadProgramInput(const std::string& path, ProgramInput* input) {
  auto bytes = ReadInputFile(path);
  if (!bytes.ok()) return ReportError(bytes.error());
  const std::string name = path == "-" ? "<stdin>" : path;
  const bool policy_name = EndsWith(path, ".sfp") || EndsWith(path, ".json");
  const bool assembly_name = EndsWith(path, ".asm") || EndsWith(path, ".s");
  if (assembly_name) {
    auto program = bpf::ParseAssembly(*bytes);
    if (!program.ok()) return ReportError(MakeError(program.error().code, name + ": " + program.error().message));
    input->program = std::move(*program);
    input->kind = "assembly";
    return kExitOk;
  }
  if (!policy_name) {
    auto program = bpf::ParseRawBpf(*bytes);
    // A raw program, or bytes that are clearly not text: report as a raw .bpf problem.
    if (program.ok() || EndsWith(path, ".bpf") || !LooksLikeText(*bytes)) {
      if (!program.ok()) return ReportError(MakeError(program.error().code, name + ": " + program.error().message));
      input->program = std::move(*program);
      input->kind = "bpf";
      return kExitOk;
    }
  }
  Diagnostics diagnostics;
  std::optional<policy::Policy> policy = formats::LoadPolicyText(*bytes, name, formats::LoadOptions{}, diagnostics);
  if (!policy || diagnostics.HasErrors()) {
    const int status = ReportDiagnostics(diagnostics, *bytes);
    return status == kExitOk ? kExitBadInput : std::max(status, kExitBadInput);
  }
  ReportDiagnostics(diagnostics, *bytes);
  if (policy->arches.empty()) policy->arches = {NativeArch()};
  auto compiled = codegen::Compile(*policy);
  if (!compiled.ok()) return ReportError(MakeError(compiled.error().code, name + ": " + compiled.error().message));
  input->program = std::move(*compiled);
  input->kind = "policy";
  input->policy_arch = policy->arches.front();
  return kExitOk;
}

namespace {

constexpr const char* kDisasmHelp =
    "Prints a seccomp filter one instruction per line, in the syntax the assembler reads back:\n"
    "jump targets are instruction offsets, loads name seccomp_data fields ([nr], [arch],\n"
    "[args[1].hi], ...), returns name actions (ret errno(EPERM)), and comments name arch tokens\n"
    "and syscall numbers (per the ABI the preceding arch check establishes; otherwise --arch,\n"
    "marked with '?').\n"
    "\n"
    "FILE is a raw .bpf (struct sock_filter[] in host byte order), a policy (.sfp or OCI/Docker\n"
    "JSON, compiled first), or assembly text (.asm). --pid reads the filters installed in a\n"
    "running thread instead (root: PTRACE_SECCOMP_GET_FILTER); filter 0 is the first installed.\n"
    "--cache adds the kernel's action-cache analysis: which syscall numbers skip the filter.\n"
    "\n"
    "A malformed .bpf (empty, not a multiple of 8 bytes, over 4096 instructions, an opcode seccomp\n"
    "refuses, a jump out of range) is one error line with the instruction offset, exit status 2.\n"
    "A program the kernel would refuse for another reason (no final ret, memory read before\n"
    "written) is printed with a warning, exit status 1.\n"
    "\n"
    "Examples:\n"
    "  sysfence disasm web.bpf\n"
    "  sysfence disasm web.sfp --cache\n"
    "  sudo sysfence disasm --pid 1234\n"
    "\n"
    "docs/bpf-toolkit.md describes the syntax.";

struct DisasmFlags {
  std::string path;
  int pid = 0;
  std::string arch;
  bool no_comments = false;
  bool cache = false;
};

std::string CacheSummary(const bpf::Program& program, Arch kernel_arch) {
  std::string out = "; kernel action cache (filters skipped for always-allowed syscall numbers):\n";
  for (Arch arch : inspect::CachedArches(kernel_arch)) {
    const inspect::CacheReport report = inspect::AnalyzeCache(program, arch);
    std::vector<std::string> names;
    for (const inspect::CacheEntry& entry : report.entries) {
      if (!entry.skipped || entry.kernel_exception) continue;
      auto name = syscalls::NameOf(arch, entry.nr);
      names.push_back(name ? std::string(*name) : std::to_string(entry.nr));
    }
    out += fmt::format(";   {}: {} of {} numbers skip the filter{}{}\n", ArchName(arch), report.skipped_count,
                       report.entries.size(), names.empty() ? "" : ": ", fmt::join(names, " "));
  }
  if (kernel_arch == Arch::kX86_64) {
    out += ";   x32: never cached (its numbers lie past the kernel's bitmap)\n";
    out += ";   (x86_64 uretprobe/uprobe, 335 and 336, always skip every filter: a kernel exception)\n";
  }
  return out;
}

// Which filter of a stack decides how many input regions (every filter runs; the kernel keeps the
// most restrictive return, the newest filter's on ties).
std::string DeciderSummary(const inspect::FilterStack& stack) {
  if (stack.size() < 2) return {};
  std::vector<size_t> decided(stack.size(), 0);
  auto explored = inspect::Explore(stack, inspect::Region{}, [&](const inspect::Region&, const inspect::StackOutcome& o) {
    ++decided[o.deciding_filter];
    return true;
  });
  if (!explored.ok()) return "; which filter decides: " + explored.error().message + "\n";
  std::string out = "; every filter runs; the most restrictive return wins (the newest filter's on ties):\n";
  for (size_t i = 0; i < stack.size(); ++i) {
    out += fmt::format(";   filter {} decides {} of {} input regions\n", i, decided[i], *explored);
  }
  return out;
}

int DisasmCommand(const DisasmFlags& flags) {
  std::optional<Arch> arch;
  if (int status = ParseArchFlag(flags.arch, &arch); status != kExitOk) return status;
  inspect::DisassembleOptions options;
  options.comments = !flags.no_comments;
  if (flags.pid != 0) {
    if (!flags.path.empty()) {
      std::fprintf(stderr, "sysfence: error: give either FILE or --pid, not both\n");
      return kExitBadInput;
    }
    auto filters = os::ReadProcessFilters(flags.pid);
    if (!filters.ok()) return ReportError(filters.error());
    if (arch) options.default_arch = *arch;
    if (filters->empty()) {
      std::printf("; pid %d has no seccomp filters\n", flags.pid);
      return kExitOk;
    }
    for (size_t i = 0; i < filters->size(); ++i) {
      std::printf("; pid %d, filter %zu of %zu%s\n%s", flags.pid, i, filters->size(),
                  i == 0 ? " (first installed; every filter runs, the most restrictive action wins)" : "",
                  inspect::Disassemble((*filters)[i], options).c_str());
      if (flags.cache) std::fputs(CacheSummary((*filters)[i], NativeArch()).c_str(), stdout);
    }
    std::fputs(DeciderSummary(*filters).c_str(), stdout);
    return kExitOk;
  }
  if (flags.path.empty()) {
    std::fprintf(stderr, "sysfence: error: give a FILE to disassemble or --pid PID (see --help)\n");
    return kExitBadInput;
  }
  ProgramInput input;
  if (int status = LoadProgramInput(flags.path, &input); status != kExitOk) return status;
  options.default_arch = arch ? *arch : input.policy_arch.value_or(NativeArch());
  std::fputs(inspect::Disassemble(input.program, options).c_str(), stdout);
  if (flags.cache) std::fputs(CacheSummary(input.program, NativeArch()).c_str(), stdout);
  std::fflush(stdout);
  if (auto failure = bpf::FindVerifyFailure(input.program)) {
    std::fprintf(stderr, "sysfence: warning: the kernel would refuse this program: %s\n", failure->ToString().c_str());
    return kExitFindings;
  }
  return kExitOk;
}

const CommandRegistration kRegistration(60, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("disasm", "Disassemble a seccomp filter (.bpf, policy, or a running process)");
  sub->footer(kDisasmHelp);
  auto flags = std::make_shared<DisasmFlags>();
  sub->add_option("file", flags->path, "Raw .bpf, policy (.sfp/.json) or assembly (.asm); - for stdin");
  sub->add_option("--pid", flags->pid, "Disassemble the filters of this running thread instead (root)");
  sub->add_option("--arch,-a", flags->arch, "ABI for naming syscalls when no arch check says (default: host)");
  sub->add_flag("--no-comments", flags->no_comments, "Bare instructions, no comments");
  sub->add_flag("--cache", flags->cache, "Add the kernel's action-cache analysis");
  sub->callback([flags, exit_status] { *exit_status = DisasmCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
