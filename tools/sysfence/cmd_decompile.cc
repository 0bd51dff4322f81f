// SPDX-License-Identifier: Apache-2.0
// `sysfence decompile`: a filter (a .bpf, or every filter of a running process) back to a policy,
// compiled back and proven to decide like the original on every input.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "inspect/decompile.h"
#include "policy/printer.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"
#include "tools/sysfence/inspect_input.h"

namespace sysfence::cli {
namespace {

constexpr const char* kDecompileHelp =
    "Turns a seccomp filter back into a policy (.sfp): the arch line, per-ABI rules with argument\n"
    "conditions as equalities, ranges and masks, the default, badarch and, when the numbers past the\n"
    "syscall table are decided otherwise, the unknown line. The policy is then compiled\n"
    "by sysfence and compared with the original on every input - not sampled: the constants the two\n"
    "programs compare each seccomp_data word with split it into finitely many classes, and both\n"
    "programs run on a representative of every combination that can matter. The verdict is written\n"
    "at the top of the policy and on stderr.\n"
    "\n"
    "FILE is a raw .bpf (struct sock_filter[] in host byte order) or assembly (.asm). --pid reads the\n"
    "filters of a running thread (root; from the host for a container's process, by its host pid):\n"
    "all of them stacked, as the kernel runs them (the most restrictive return wins; each rule says\n"
    "which filter decides), or only filter N with --filter N (0 is the first installed).\n"
    "\n"
    "What a policy cannot say is listed in the header and the verdict counts it: tests of the\n"
    "instruction pointer, of argument bits above the argument's width (libseccomp compares all 64 bits\n"
    "of 32-bit arguments; the kernel ignores the upper half), of arguments a syscall does not have,\n"
    "numbers without a syscall name decided unlike the default. Differences only in ignored argument\n"
    "bits are reported apart: the policy then decides every call the kernel tells apart like the\n"
    "original.\n"
    "\n"
    "Exit status: 0 the policy is proven to decide like the filter: on every input, or on every\n"
    "syscall with the differences limited to ignored argument bits and to numbers that name no\n"
    "syscall (both counted in the verdict); 1 other inputs are decided differently (counted; `sysfence\n"
    "diff FILE POLICY` lists them); 2 bad input: a missing\n"
    "or malformed file, a program the kernel would refuse (with the verifier's reason), a pid that\n"
    "does not exist or may not be inspected, a process without filters.\n"
    "\n"
    "Examples:\n"
    "  sysfence decompile seeds.bpf\n"
    "  sudo sysfence decompile --pid $(pidof sshd) -o sshd.sfp\n"
    "  sudo sysfence decompile --pid 4242 --filter 1";

struct DecompileFlags {
  std::string path;
  int pid = 0;
  int filter = -1;
  std::string output = "-";
};

// The proof's outcome in one sentence.
std::string Verdict(const inspect::RoundTrip& trip) {
  const auto& report = trip.report;
  if (report.Equivalent()) {
    return fmt::format("Proven: compiled back ({} instructions), it decides every input like the original ({} "
                       "regions compared)", trip.recompiled.size(), report.regions);
  }
  if (trip.Unexplained() != 0) {
    return fmt::format("NOT equivalent: compiled back, it decides {} region(s) differently ({} only in ignored "
                       "argument bits, {} only on numbers without a syscall); see `sysfence diff`",
                       report.difference_count, trip.only_ignored_bits, trip.only_unnamed_numbers);
  }
  std::string text = fmt::format("Proven: compiled back ({} instructions), it decides every syscall like the original "
                                 "({} regions compared)", trip.recompiled.size(), report.regions);
  if (trip.only_ignored_bits != 0) {
    text += fmt::format("; {} region(s) differ only in argument bits above the argument's width, which the kernel "
                        "ignores", trip.only_ignored_bits);
  }
  if (trip.only_unnamed_numbers != 0) {
    text += fmt::format("; {} region(s) of numbers that name no syscall get the default here and another "
                        "decision there (a policy gives every such number its default)", trip.only_unnamed_numbers);
  }
  return text;
}

std::string Header(const StackInput& input, const inspect::Decompilation& result, const inspect::RoundTrip& trip) {
  std::string text = fmt::format("Decompiled by sysfence from {}", input.name);
  if (input.process_filters > 1 && input.stack.size() == 1) {
    text += fmt::format(" (filter {} of {})", input.first_filter, input.process_filters);
  } else if (input.stack.size() > 1) {
    text += fmt::format(" ({} stacked filters, 0 first installed)", input.stack.size());
  }
  size_t instructions = 0;
  for (const bpf::Program& p : input.stack) instructions += p.size();
  text += fmt::format(": {} instructions, {} regions explored.\n", instructions, result.regions);
  text += Verdict(trip) + ".";
  if (!result.unexpressed.empty()) {
    text += fmt::format("\nA policy cannot express {} thing(s) the filter does:", result.unexpressed.size());
    for (const std::string& line : result.unexpressed) text += "\n  " + line;
  }
  return text;
}

int DecompileCommand(const DecompileFlags& flags) {
  StackInput input;
  const std::optional<size_t> filter = flags.filter >= 0 ? std::optional<size_t>(flags.filter) : std::nullopt;
  if (int status = LoadStackInput(flags.path, flags.pid, filter, &input); status != kExitOk) return status;
  auto result = inspect::Decompile(input.stack);
  if (!result.ok()) return ReportError(result.error());
  auto trip = inspect::ProveDecompiled(input.stack, policy::PrintPolicy(result->policy));
  if (!trip.ok()) return ReportError(trip.error());
  result->policy.comment = Header(input, *result, *trip);
  const std::string text = policy::PrintPolicy(result->policy);
  if (auto written = WriteOutputFile(flags.output, text); !written.ok()) return ReportError(written.error());
  if (!Quiet()) std::fprintf(stderr, "sysfence: %s\n", Verdict(*trip).c_str());
  return trip->Unexplained() == 0 ? kExitOk : kExitFindings;
}

const CommandRegistration kRegistration(62, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("decompile", "Turn a filter (.bpf or a running process's) back into a proven policy");
  sub->footer(kDecompileHelp);
  auto flags = std::make_shared<DecompileFlags>();
  sub->add_option("file", flags->path, "Raw .bpf or assembly (.asm); - for stdin");
  sub->add_option("--pid", flags->pid, "Decompile the filters of this running thread instead (root)");
  sub->add_option("--filter", flags->filter, "With --pid: only filter N (0 = first installed)");
  sub->add_option("--output,-o", flags->output, "Write the policy here (default: stdout)");
  sub->callback([flags, exit_status] { *exit_status = DecompileCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
