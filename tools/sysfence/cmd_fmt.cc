// SPDX-License-Identifier: Apache-2.0
// `sysfence fmt`: print a policy in canonical form, or rewrite it in place.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "formats/load.h"
#include "policy/parser.h"
#include "policy/printer.h"
#include "policy/render.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"

namespace sysfence::cli {
namespace {

constexpr const char* kFmtHelp =
    "Prints a policy in canonical form: header (arch, default, badarch), then the rules in their\n"
    "order (order decides: the first matching rule wins), then fs and net rules; one statement a\n"
    "line, single spaces, symbolic constants kept as written. Comments directly above a statement\n"
    "or at the end of its line stay with it; the file's leading comment stays at the top.\n"
    "Parsing the output gives back the same policy, so generated policies diff cleanly.\n"
    "\n"
    "  -w       rewrite the file in place (atomically; untouched when already canonical)\n"
    "  --check  change nothing; exit 1 when the file is not in canonical form\n"
    "\n"
    "An OCI/Docker JSON profile is printed as .sfp (convert with 'sysfence fmt p.json > p.sfp').\n"
    "A policy with 'include' is printed with its includes expanded; -w and --check refuse it.\n"
    "\n"
    "Examples:\n"
    "  sysfence fmt web.sfp\n"
    "  sysfence fmt -w web.sfp\n"
    "  sysfence fmt --check policies/*.sfp   # in CI\n"
    "\n"
    "Exit status: 0 done (or canonical), 1 not canonical (--check), 2 invalid policy or usage\n"
    "(nothing written).";

struct FmtFlags {
  std::vector<std::string> paths;
  bool write = false;
  bool check = false;
};

int FormatOne(const std::string& path, const FmtFlags& flags) {
  Result<std::string> text = ReadInputFile(path);
  if (!text.ok()) return ReportError(text.error());
  const std::string name = path == "-" ? "<stdin>" : path;
  Diagnostics diagnostics;
  std::map<std::string, std::string> sources;
  std::optional<policy::Policy> policy;
  const bool json = formats::LooksLikeImportedProfile(*text);
  if (json) {
    if (flags.write || flags.check) {
      return BadInput(name + " is JSON: -w and --check work on .sfp files (convert with 'sysfence fmt " + name +
                      " > policy.sfp')");
    }
    policy = formats::LoadPolicyText(*text, name, formats::LoadOptions{}, diagnostics);
    sources[name] = *text;
  } else {
    policy::ParseOptions options;
    options.sources = &sources;
    policy = policy::ParsePolicy(*text, name, diagnostics, options);
  }
  if (!policy) {
    std::fputs(policy::RenderDiagnostics(diagnostics, sources).c_str(), stderr);
    return kExitBadInput;
  }
  const std::string canonical = policy::PrintPolicy(*policy);
  if ((flags.write || flags.check) && sources.size() > 1) {
    return BadInput(name + " includes other files: its canonical form would inline them, so -w and --check refuse it");
  }
  if (flags.check) {
    if (canonical == *text) return kExitOk;
    std::fprintf(stderr, "%s: not in canonical form (run 'sysfence fmt -w %s')\n", name.c_str(), name.c_str());
    return kExitFindings;
  }
  if (flags.write) {
    if (path == "-") return BadInput("-w needs a file, not standard input");
    if (canonical == *text) return kExitOk;
    if (Result<void> written = WriteOutputFile(path, canonical); !written.ok()) return ReportError(written.error());
    return kExitOk;
  }
  if (Result<void> written = WriteOutputFile("-", canonical); !written.ok()) return ReportError(written.error());
  return kExitOk;
}

int FmtCommand(const FmtFlags& flags) {
  if (flags.paths.size() > 1 && !flags.write && !flags.check) {
    return BadInput("several files need -w or --check (printing would run them together)");
  }
  int status = kExitOk;
  for (const std::string& path : flags.paths) status = std::max(status, FormatOne(path, flags));
  return status;
}

const CommandRegistration kRegistration(12, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("fmt", "Print a policy in canonical form, or rewrite it in place");
  sub->footer(kFmtHelp);
  auto flags = std::make_shared<FmtFlags>();
  sub->add_option("policy", flags->paths, "Policy files (.sfp; OCI JSON is printed as .sfp); - for stdin")
      ->required();
  CLI::Option* write = sub->add_flag("-w,--write", flags->write, "Rewrite the files in place");
  sub->add_flag("--check", flags->check, "Exit 1 if a file is not in canonical form; change nothing")->excludes(write);
  sub->callback([flags, exit_status] { *exit_status = FmtCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
