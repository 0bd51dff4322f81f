// SPDX-License-Identifier: Apache-2.0
// `sysfence report`: one self-contained HTML page from recordings, a policy and events files.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "formats/load.h"
#include "profile/profile_json.h"
#include "report/html.h"
#include "report/model.h"
#include "run/events_reader.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/output_file.h"
#include "tools/sysfence/record_common.h"

namespace sysfence::cli {
namespace {

constexpr const char* kReportHelp =
    "Draws what sysfence knows about a program as one HTML page you open in a browser.\n"
    "\n"
    "Each INPUT is recognised by its contents:\n"
    "  a recording (`sysfence record --json FILE`): its calls by syscall and by group, calls over\n"
    "    time, the process tree, and the coverage report (syscalls seen once, only at start-up, or\n"
    "    only in one process: the paths a longer or different run might take differently);\n"
    "  two recordings: both, and what differs between them (syscalls only in one, counts in both);\n"
    "  a policy (.sfp or OCI JSON): each rule with its evidence (its comment, and with a recording\n"
    "    the recorded calls the rule names);\n"
    "  events files (`sysfence run --events FILE`): the calls the policy refused, or would have in\n"
    "    monitor mode, over time and by rule and process.\n"
    "\n"
    "The page is self-contained: Chart.js (MIT License, pinned, inlined when sysfence was built),\n"
    "the data and the style are in the file, and its Content-Security-Policy forbids every network\n"
    "request, so it opens offline and can be mailed or attached to a ticket as it is. Recordings\n"
    "hold names the recorded program chose (command names, paths): the page shows them as text only.\n"
    "\n"
    "Examples:\n"
    "  sysfence record --json run.json -o app.sfp -- ./app\n"
    "  sysfence report run.json -o report.html                # then open report.html\n"
    "  sysfence report app.sfp run.json -o rules.html          # each rule with its evidence\n"
    "  sysfence report before.json after.json -o diff.html     # what changed between two runs\n"
    "  sysfence run --monitor --events ev.jsonl --policy app.sfp -- ./app\n"
    "  sysfence report app.sfp ev.jsonl -o violations.html\n"
    "\n"
    "Exit status: 0 written; 2 bad input (nothing written).";

struct ReportFlags {
  std::vector<std::string> inputs;
  std::string output;
  std::string title;
};

int ReportCommand(const ReportFlags& flags) {
  if (auto writable = CheckOutputPath(flags.output); !writable.ok()) return ReportError(writable.error());
  report::ReportInputs inputs;
  for (const std::string& input : flags.inputs) {
    auto text = ReadInputFile(input);
    if (!text.ok()) return ReportError(text.error());
    if (run::LooksLikeEvents(*text)) {
      auto violations = report::ReadViolations(*text, input);
      if (!violations.ok()) return ReportError(violations.error());
      inputs.events.push_back({input, std::move(violations.value())});
    } else if (profile::LooksLikeProfileJson(*text)) {
      auto profile = profile::ProfileFromJson(*text, input);
      if (!profile.ok()) return ReportError(profile.error());
      inputs.recordings.push_back({input, std::move(profile.value())});
    } else {
      Diagnostics diagnostics;
      auto policy = formats::LoadPolicyText(*text, input, {}, diagnostics);
      if (!policy) {
        ReportDiagnostics(diagnostics, *text);
        return kExitBadInput;
      }
      if (inputs.policy) {
        std::fprintf(stderr, "sysfence: error: %s: a report shows one policy (%s is one already)\n", input.c_str(),
                     inputs.policy->name.c_str());
        return kExitBadInput;
      }
      inputs.policy = report::NamedPolicy{input, std::move(*policy)};
    }
  }
  if (inputs.recordings.size() > 2) {
    std::fprintf(stderr, "sysfence: error: a report shows one recording, or compares two (%zu given); "
                         "to unite runs, `sysfence merge --json all.json RUN...` first\n", inputs.recordings.size());
    return kExitBadInput;
  }
  std::string title = flags.title;
  if (title.empty()) {
    title = "sysfence report";
    if (!inputs.recordings.empty() && !inputs.recordings[0].profile.command.empty()) {
      title += ": " + inputs.recordings[0].profile.command[0];
    }
  }
  const std::string page = report::RenderPage(report::BuildModel(inputs), title);
  if (auto written = WriteOutputFile(flags.output, page); !written.ok()) return ReportError(written.error());
  return kExitOk;
}

const CommandRegistration kRegistration(24, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("report", "Draw recordings, a policy, events or a comparison as one HTML page");
  sub->footer(kReportHelp);
  auto flags = std::make_shared<ReportFlags>();
  sub->add_option("inputs", flags->inputs, "Recordings (at most two), a policy, events files")->required();
  sub->add_option("-o,--output", flags->output, "Write the page to FILE ('-': standard output)")->required();
  sub->add_option("--title", flags->title, "The page's title (default: sysfence report: PROGRAM)");
  sub->callback([flags, exit_status] { *exit_status = ReportCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
