// SPDX-License-Identifier: Apache-2.0
// `sysfence check`: every error and warning of a policy, with file:line:col, the source line and a caret.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "formats/load.h"
#include "inspect/lint.h"
#include "policy/lint.h"
#include "policy/parser.h"
#include "policy/render.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kCheckHelp =
    "Reads a policy (.sfp, OCI/Docker JSON or a Kubernetes SeccompProfile) and reports every problem in one pass: errors\n"
    "(syntax, unknown syscalls, groups, constants or ABIs with a suggestion, argument index > 5,\n"
    "conditions on pointer arguments, values too wide for a 32-bit argument, errno outside\n"
    "1..4095, include cycles and missing includes) and warnings (unreachable or duplicate rules,\n"
    "rules that repeat the default, io_uring allowed while file or network syscalls are denied,\n"
    "ptrace/process_vm_writev allowed, clone restricted while clone3 is not answered with ENOSYS,\n"
    "kill-thread, masked tests that never hold, write-file without truncate, 'unknown allow' under a\n"
    "denying default).\n"
    "Diagnostics go to stderr; a one-line verdict goes to stdout (-q: no verdict).\n"
    "--format json or sarif writes the diagnostics to stdout instead, in the shapes `sysfence lint`\n"
    "writes (the same writer): JSON {\"findings\": [{check, severity, message, fix, line, column,\n"
    "...}], \"errors\", \"warnings\", \"notes\"}, or SARIF 2.1.0 for code scanning. Each finding's\n"
    "check is policy-error, policy-warning or policy-note and its fix the diagnostic's hint.\n"
    "\n"
    "Examples:\n"
    "  sysfence check web.sfp\n"
    "  sysfence check moby-default.json --caps CAP_SYS_ADMIN\n"
    "  sysfence check web.sfp --format sarif > check.sarif\n"
    "\n"
    "Exit status: 0 clean, 1 warnings only, 2 errors (or the file cannot be read).\n"
    "The language is described in docs/policy-language.md.";

struct CheckFlags {
  std::string path;
  std::string format = "text";
  std::vector<std::string> caps;
};

// The diagnostics as linter findings, for the linter's JSON and SARIF writers (with their lines and
// columns in `locations`).
std::vector<inspect::Finding> AsFindings(const Diagnostics& diagnostics, std::vector<std::pair<int, int>>& locations) {
  std::vector<inspect::Finding> findings;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    inspect::Finding finding;
    switch (diagnostic.severity) {
      case Severity::kError: finding.severity = inspect::Severity::kError; finding.check = "policy-error"; break;
      case Severity::kWarning: finding.severity = inspect::Severity::kWarning; finding.check = "policy-warning"; break;
      case Severity::kNote: finding.severity = inspect::Severity::kNote; finding.check = "policy-note"; break;
    }
    finding.message = diagnostic.message;
    if (!diagnostic.span.json_path.empty()) finding.message += " (at " + diagnostic.span.json_path + ")";
    finding.fix = diagnostic.hint;
    findings.push_back(std::move(finding));
    locations.emplace_back(static_cast<int>(diagnostic.span.line), static_cast<int>(diagnostic.span.column));
  }
  return findings;
}

int CheckCommand(const CheckFlags& flags) {
  Result<std::string> text = ReadInputFile(flags.path);
  if (!text.ok()) return ReportError(text.error());
  const std::string name = flags.path == "-" ? "<stdin>" : flags.path;
  Diagnostics diagnostics;
  std::map<std::string, std::string> sources;
  std::optional<policy::Policy> policy;
  if (formats::LooksLikeImportedProfile(*text)) {
    formats::LoadOptions options;
    options.capabilities.insert(flags.caps.begin(), flags.caps.end());
    policy = formats::LoadPolicyText(*text, name, options, diagnostics);
    sources[name] = *text;
  } else {
    policy::ParseOptions options;
    options.sources = &sources;
    policy = policy::ParsePolicy(*text, name, diagnostics, options);
  }
  if (policy) policy::LintPolicy(*policy, diagnostics);
  if (flags.format != "text") {
    std::vector<std::pair<int, int>> locations;
    const std::vector<inspect::Finding> findings = AsFindings(diagnostics, locations);
    std::fputs((flags.format == "json" ? inspect::FindingsJson(findings, locations)
                                       : inspect::FindingsSarif(findings, locations, name))
                   .c_str(),
               stdout);
    return diagnostics.HasErrors() ? kExitBadInput : diagnostics.HasWarnings() ? kExitFindings : kExitOk;
  }
  std::fputs(PaintDiagnostics(policy::RenderDiagnostics(diagnostics, sources), stderr).c_str(), stderr);
  if (Quiet()) return diagnostics.HasErrors() ? kExitBadInput : diagnostics.HasWarnings() ? kExitFindings : kExitOk;
  if (diagnostics.HasErrors()) {
    std::printf("%s: invalid\n", name.c_str());
    return kExitBadInput;
  }
  if (diagnostics.HasWarnings()) {
    std::printf("%s: valid, with warnings\n", name.c_str());
    return kExitFindings;
  }
  std::printf("%s: ok\n", name.c_str());
  return kExitOk;
}

const CommandRegistration kRegistration(11, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("check", "Report a policy's errors and warnings (file:line:col)");
  sub->footer(kCheckHelp);
  auto flags = std::make_shared<CheckFlags>();
  sub->add_option("policy", flags->path, "Policy file (.sfp or OCI/Docker JSON); - for stdin")->required();
  sub->add_option("--caps", flags->caps, "Capabilities granted (CAP_SYS_ADMIN,...) for Docker's caps rules")
      ->delimiter(',');
  OneOf(sub->add_option("--format", flags->format, "text (default: diagnostics on stderr), json or sarif (on stdout)"),
        {"text", "json", "sarif"});
  sub->callback([flags, exit_status] { *exit_status = CheckCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
