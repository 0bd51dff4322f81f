// SPDX-License-Identifier: Apache-2.0
// `sysfence diff`: what two filters (policies, profiles, .bpf files, running processes) decide
// differently, grouped by ABI and syscall, as policy lines.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "inspect/diff.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/inspect_input.h"

namespace sysfence::cli {
namespace {

constexpr const char* kDiffHelp =
    "Compares what two filters decide, on every input (not sampled: see `sysfence decompile\n"
    "--help`), and prints where they differ, grouped by ABI and syscall, as policy lines:\n"
    "\n"
    "  @@ x86_64 @@\n"
    "  - allow socket if family == 40\n"
    "  + errno EPERM socket if family == 40\n"
    "\n"
    "'-' lines are what A decides, '+' lines what B decides, for the argument region shown (no\n"
    "condition: every argument value). Numbers without a syscall name are shown as ranges; arch\n"
    "values of no known ABI as 'unknown arch values'. A '# filter N' note names the deciding filter\n"
    "of a process with several.\n"
    "\n"
    "A and B are each a policy (.sfp, OCI/Docker or Kubernetes JSON, compiled by sysfence), a raw\n"
    ".bpf, assembly (.asm), or a running process as pid:PID (all its filters, stacked as the kernel\n"
    "runs them; root). --pid PID stands for the second operand when one FILE is given (the file is\n"
    "A), or for both with two --pid.\n"
    "\n"
    "Exit status (as diff(1)): 0 same decisions everywhere, 1 different, 2 bad input (a missing or\n"
    "malformed file, a program the kernel would refuse, a pid that does not exist or may not be\n"
    "inspected, a process without filters). --json prints {\"same\", \"regions\", \"differences\": [...]}.\n"
    "\n"
    "Examples:\n"
    "  sysfence diff moby-default.json recorded.sfp\n"
    "  sudo sysfence diff docker.json --pid $(pidof nginx)\n"
    "  sysfence diff old.bpf new.bpf --json";

struct DiffFlags {
  std::vector<std::string> operands;
  std::vector<int> pids;
  bool json = false;
};

int LoadOperand(const std::string& operand, int pid, StackInput* input) {
  int parsed = 0;
  if (pid == 0 && ParsePidOperand(operand, &parsed)) return LoadStackInput("", parsed, std::nullopt, input);
  return LoadStackInput(pid != 0 ? "" : operand, pid, std::nullopt, input);
}

int DiffCommand(const DiffFlags& flags) {
  std::vector<std::pair<std::string, int>> operands;
  for (const std::string& operand : flags.operands) operands.emplace_back(operand, 0);
  for (int pid : flags.pids) operands.emplace_back("", pid);
  if (operands.size() != 2) {
    std::fprintf(stderr, "sysfence: error: diff compares two filters: give A and B (FILE, pid:PID or --pid PID)\n");
    return kExitBadInput;
  }
  StackInput left, right;
  if (int status = LoadOperand(operands[0].first, operands[0].second, &left); status != kExitOk) return status;
  if (int status = LoadOperand(operands[1].first, operands[1].second, &right); status != kExitOk) return status;
  auto diff = inspect::DiffStacks(left.stack, right.stack);
  if (!diff.ok()) return ReportError(diff.error());
  const std::string text = flags.json ? inspect::DiffJson(*diff) : inspect::RenderDiff(*diff, left.name, right.name);
  std::fputs(text.c_str(), stdout);
  return diff->Same() ? kExitOk : kExitFindings;
}

const CommandRegistration kRegistration(64, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("diff", "Show what two filters (policies, profiles, .bpf, processes) decide differently");
  sub->footer(kDiffHelp);
  auto flags = std::make_shared<DiffFlags>();
  sub->add_option("operands", flags->operands, "A and B: policy, .bpf, .asm, or pid:PID");
  sub->add_option("--pid", flags->pids, "A running thread's filters as an operand (root; repeat for both)")
      ->allow_extra_args(false);
  sub->add_flag("--json", flags->json, "Print JSON for scripts");
  sub->callback([flags, exit_status] { *exit_status = DiffCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
