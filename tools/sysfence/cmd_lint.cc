// SPDX-License-Identifier: Apache-2.0
// `sysfence lint`: what is wrong with a filter (a .bpf, a policy, or a running process's filters).
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "inspect/lint.h"
#include "policy/evaluate.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/inspect_input.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kLintHelp =
    "Finds what is wrong with a seccomp filter by exploring what it decides on every input:\n"
    "  error    no-arch-check          seccomp_data.arch is never checked\n"
    "  error    arch-check-after-nr    the syscall number decides before the arch check\n"
    "  error    x32-under-x86_64       x32 numbers reach an allow under the x86_64 token\n"
    "  error    allows-everything      every call on every ABI is allowed\n"
    "  warning  default-allows         numbers the filter does not name are allowed (a deny-list)\n"
    "  warning  unreachable            instructions no input reaches\n"
    "  warning  errno-zero             errno 0: the call does not run but reports success\n"
    "  warning  one-half-compared      a 64-bit argument compared on its low half only\n"
    "  warning  upper-half-compared    a 32-bit argument compared on both halves (the upper-half hole)\n"
    "  warning  dangerous-syscall      ptrace, bpf, io_uring_*, kexec_*, userfaultfd, perf_event_open,\n"
    "                                  process_vm_writev, add_key/keyctl/request_key, setns, clone3,\n"
    "                                  unshare/clone with CLONE_NEWUSER allowed\n"
    "  warning  trace-without-tracer   trace: without a tracer the call fails with ENOSYS\n"
    "  note     uncacheable-allow      always-allowed syscalls the kernel's action cache cannot skip\n"
    "Each finding names the filter and instruction (for a policy: the line of the deciding rule),\n"
    "an example input, and a fix. For a policy, `sysfence check` adds the policy-level warnings.\n"
    "\n"
    "FILE is a raw .bpf, assembly (.asm) or a policy (.sfp, OCI/Docker or Kubernetes JSON, compiled\n"
    "first). --pid lints the filters of a running thread (root), stacked as the kernel runs them,\n"
    "or only filter N with --filter N.\n"
    "\n"
    "--format text (default), json ({\"findings\": [...], \"errors\", \"warnings\", \"notes\"}) or sarif\n"
    "(SARIF 2.1.0, for CI code scanning).\n"
    "\n"
    "Exit status: 0 no findings, 1 findings, 2 bad input (a missing or malformed file, a program the\n"
    "kernel would refuse, a pid that does not exist or may not be inspected, a process without\n"
    "filters).\n"
    "\n"
    "Examples:\n"
    "  sysfence lint seeds.bpf\n"
    "  sysfence lint web.sfp --format sarif > lint.sarif\n"
    "  sudo sysfence lint --pid $(pidof sshd)";

struct LintFlags {
  std::string path;
  int pid = 0;
  int filter = -1;
  std::string format = "text";
};

// The process's tracer, from /proc/PID/status (TracerPid); nullopt when unreadable.
std::optional<bool> HasTracer(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("TracerPid:", 0) == 0) return std::stoi(line.substr(10)) != 0;
  }
  return std::nullopt;
}

// Line and column of the rule (or default/badarch) of `policy` that decides a finding's input.
std::pair<int, int> PolicyLocation(const policy::Policy& policy, const inspect::Finding& finding) {
  if (!finding.witness) return {0, 0};
  const policy::Decision decision = policy::Evaluate(policy, *finding.witness);
  const SourceSpan* span = &policy.default_span;
  if (decision.by == policy::DecidedBy::kRule) span = &policy.rules[static_cast<size_t>(decision.rule_index)].span;
  if (decision.by == policy::DecidedBy::kBadArch) span = &policy.badarch_span;
  return {static_cast<int>(span->line), static_cast<int>(span->column)};
}

std::string TextReport(const std::vector<inspect::Finding>& findings, const std::vector<std::pair<int, int>>& locations,
                       const StackInput& input) {
  std::string out;
  for (size_t i = 0; i < findings.size(); ++i) {
    const inspect::Finding& f = findings[i];
    std::string where = input.name;
    if (locations[i].first > 0) {
      where += fmt::format(":{}:{}", locations[i].first, locations[i].second);
    } else if (f.instruction) {
      where += input.stack.size() > 1 || input.process_filters > 1
                   ? fmt::format(": filter {}, instruction {}", input.first_filter + f.filter, *f.instruction)
                   : fmt::format(": instruction {}", *f.instruction);
    }
    out += fmt::format("{}: {}: {} [{}]\n  fix: {}\n", where, inspect::SeverityName(f.severity), f.message, f.check, f.fix);
  }
  out += findings.empty() ? "no findings\n" : fmt::format("{} finding{}\n", findings.size(), findings.size() == 1 ? "" : "s");
  return out;
}

int LintCommand(const LintFlags& flags) {
  StackInput input;
  const std::optional<size_t> filter = flags.filter >= 0 ? std::optional<size_t>(flags.filter) : std::nullopt;
  if (int status = LoadStackInput(flags.path, flags.pid, filter, &input); status != kExitOk) return status;
  inspect::LintOptions options;
  options.kernel_arch = NativeArch();
  if (flags.pid != 0) options.tracer_attached = HasTracer(flags.pid);
  auto findings = inspect::LintStack(input.stack, options);
  if (!findings.ok()) return ReportError(findings.error());
  std::vector<std::pair<int, int>> locations(findings->size(), {0, 0});
  if (input.policy) {
    for (size_t i = 0; i < findings->size(); ++i) locations[i] = PolicyLocation(*input.policy, (*findings)[i]);
  }
  std::string text;
  if (flags.format == "json") {
    text = inspect::FindingsJson(*findings, locations);
  } else if (flags.format == "sarif") {
    text = inspect::FindingsSarif(*findings, locations, flags.pid != 0 ? "pid/" + std::to_string(flags.pid) : flags.path);
  } else {
    text = TextReport(*findings, locations, input);
  }
  std::fputs(text.c_str(), stdout);
  return findings->empty() ? kExitOk : kExitFindings;
}

const CommandRegistration kRegistration(63, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("lint", "Find what is wrong with a filter (.bpf, policy, or a running process's)");
  sub->footer(kLintHelp);
  auto flags = std::make_shared<LintFlags>();
  sub->add_option("file", flags->path, "Raw .bpf, assembly (.asm) or policy (.sfp/.json); - for stdin");
  sub->add_option("--pid", flags->pid, "Lint the filters of this running thread instead (root)");
  sub->add_option("--filter", flags->filter, "With --pid: only filter N (0 = first installed)");
  OneOf(sub->add_option("--format", flags->format, "text (default), json or sarif"), {"text", "json", "sarif"});
  sub->callback([flags, exit_status] { *exit_status = LintCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
