// SPDX-License-Identifier: Apache-2.0
// `sysfence merge`: unite recordings (JSON from `sysfence record --json`) or policies from many runs.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/load.h"
#include "policy/amend.h"
#include "policy/printer.h"
#include "profile/coverage.h"
#include "record/generate.h"
#include "record/merge_policies.h"
#include "tools/sysfence/recorded_calls.h"
#include "run/events_reader.h"
#include "profile/profile_json.h"
#include "tools/sysfence/analyze_hook.h"
#include "analyze/analysis_json.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"
#include "tools/sysfence/record_common.h"

namespace sysfence::cli {
namespace {

constexpr const char* kMergeHelp =
    "Applies what runs reported to a policy, or unites several runs.\n"
    "\n"
    "POLICY EVENTS... (one policy, then events files of `sysfence run --events`, monitor or enforce\n"
    "mode, or recordings): adds the lines that let every reported call through, the same lines\n"
    "`run` suggests. Argument conditions stay: a call seen as `mmap` with PROT_READ|PROT_EXEC gives\n"
    "`allow mmap if prot == PROT_READ|PROT_EXEC`, never `allow mmap`. Each line goes where it takes\n"
    "effect (before a rule that would shadow it, such as `errno ENOSYS clone3`), says in a comment\n"
    "where it came from, and clone/clone3 stay consistent: clone3 is allowed where clone is allowed\n"
    "whatever its flags, and answered ENOSYS (so libc falls back to clone) where clone carries\n"
    "conditions. A denial reported by the kernel's audit record carries no arguments: for syscalls\n"
    "whose rules have conditions it adds a note instead (run the work with --monitor). Calls the\n"
    "policy already lets through add nothing. Notes go to stderr.\n"
    "\n"
    "Otherwise, recordings (JSON written by `sysfence record --json`) are merged as\n"
    "recordings: counts add up, argument values unite, and the policy is generated again from the\n"
    "whole (the best way: conditions and comments stay exact). Policies (.sfp or OCI JSON) are\n"
    "merged rule by rule: whatever any of them lets through, the result lets through; a deny rule\n"
    "(errno, kill) for a syscall survives only where no policy allows it unconditionally.\n"
    "Inputs must all be recordings or all be policies. Analyses (`sysfence analyze --json`) may join\n"
    "recordings: the policy then also allows what the analysis found, each rule says whether it was\n"
    "seen, found, or both, and the report lists what the code can reach but no run made; analyses\n"
    "alone give the analysis's policy.\n"
    "\n"
    "With --json OUT the merged recording is written as JSON (recordings only).\n"
    "\n"
    "Examples:\n"
    "  sysfence merge run1.json run2.json run3.json -o app.sfp\n"
    "  sysfence merge --json all.json run1.json run2.json\n"
    "  sysfence merge web.sfp worker.sfp -o both.sfp\n"
    "  sysfence run --monitor --events ev.jsonl --policy app.sfp -- ./app new-work\n"
    "  sysfence merge app.sfp ev.jsonl -o app2.sfp            # then enforce app2.sfp\n"
    "\n"
    "Exit status: 0 merged; 2 bad input (nothing written).";


struct MergeFlags {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string json_path;
  std::string default_action = "EPERM";
  bool fs = false;
  bool quiet = false;
};

int WriteOrFail(const std::string& path, const std::string& text) {
  if (auto written = WriteOutputFile(path, text); !written.ok()) return ReportError(written.error());
  return kExitOk;
}

// POLICY EVENTS... / POLICY RECORDINGS...: adds to the one policy what the runs reported.
int ApplyToPolicy(const MergeFlags& flags, const std::vector<policy::Policy>& policies,
                  const std::vector<profile::Profile>& profiles, const std::vector<std::string>& profile_sources,
                  std::vector<policy::ObservedCall> reported) {
  if (policies.size() != 1) {
    std::fprintf(stderr, "sysfence: error: to apply events or recordings, give exactly one policy (%zu given)\n",
                 policies.size());
    return kExitBadInput;
  }
  if (!flags.json_path.empty()) {
    std::fprintf(stderr, "sysfence: error: --json needs recordings only; applying to a policy writes a policy\n");
    return kExitBadInput;
  }
  for (size_t i = 0; i < profiles.size(); ++i) {
    const auto calls = ObservedCallsOf(profiles[i], "recorded in " + profile_sources[i]);
    reported.insert(reported.end(), calls.begin(), calls.end());
  }
  const policy::Amendment amendment = policy::AmendPolicy(policies.front(), reported);
  if (!flags.quiet) {
    for (const std::string& note : amendment.notes) std::fprintf(stderr, "sysfence: %s\n", note.c_str());
    std::fprintf(stderr, "sysfence: %zu line%s added\n", amendment.lines.size(), amendment.lines.size() == 1 ? "" : "s");
  }
  return WriteOrFail(flags.output, policy::PrintPolicy(amendment.policy));
}

int MergeCommand(const MergeFlags& flags) {
  if (flags.inputs.empty()) {
    std::fprintf(stderr, "sysfence: error: give at least one recording or policy to merge\n");
    return kExitBadInput;
  }
  auto default_action = ParseDefaultAction(flags.default_action);
  if (!default_action.ok()) return ReportError(default_action.error());
  for (const std::string& path : {flags.output, flags.json_path}) {
    if (auto writable = CheckOutputPath(path); !writable.ok()) return ReportError(writable.error());
  }
  std::vector<profile::Profile> profiles;
  std::vector<policy::Policy> policies;
  std::vector<analyze::Analysis> analyses;
  std::vector<policy::ObservedCall> reported;
  std::vector<std::string> profile_sources;
  size_t event_files = 0;
  for (const std::string& input : flags.inputs) {
    auto text = ReadInputFile(input);
    if (!text.ok()) return ReportError(text.error());
    if (analyze::LooksLikeAnalysisJson(*text)) {
      auto analysis = analyze::AnalysisFromJson(*text, input);
      if (!analysis.ok()) return ReportError(analysis.error());
      analyses.push_back(std::move(analysis.value()));
    } else if (run::LooksLikeEvents(*text)) {
      auto calls = run::ReadReportedCalls(*text, input);
      if (!calls.ok()) return ReportError(calls.error());
      reported.insert(reported.end(), calls->begin(), calls->end());
      ++event_files;
    } else if (profile::LooksLikeProfileJson(*text)) {
      auto profile = profile::ProfileFromJson(*text, input);
      if (!profile.ok()) return ReportError(profile.error());
      profiles.push_back(std::move(profile.value()));
      profile_sources.push_back(input);
    } else {
      Diagnostics diagnostics;
      auto policy = formats::LoadPolicyText(*text, input, {}, diagnostics);
      if (!policy) return ReportDiagnostics(diagnostics, *text) == kExitOk ? kExitBadInput : kExitBadInput;
      policies.push_back(std::move(*policy));
    }
  }
  if (!analyses.empty() && !policies.empty()) {
    std::fprintf(stderr, "sysfence: error: cannot merge analyses with policies: give analyses and recordings\n");
    return kExitBadInput;
  }
  if (event_files != 0 || (!profiles.empty() && !policies.empty())) {
    return ApplyToPolicy(flags, policies, profiles, profile_sources, std::move(reported));
  }
  std::optional<analyze::Analysis> analysis;
  if (!analyses.empty()) analysis = analyze::MergeAnalyses(analyses);
  if (analysis && profiles.empty()) profiles.push_back(analyze::ProfileFromAnalysis(*analysis));
  std::string text;
  if (!profiles.empty()) {
    const profile::Profile merged = profile::MergeProfiles(profiles);
    record::GenerateOptions generate;
    generate.default_action = default_action.value();
    generate.fs_rules = flags.fs;
    const UnitedPolicy united = GenerateUnited(merged, analysis, generate);
    const policy::Policy& policy = united.policy;
    text = record::RenderGeneratedPolicy(merged, policy);
    const profile::CoverageReport coverage = profile::AnalyzeCoverage(united.profile, policy);
    if (!flags.json_path.empty()) {
      nlohmann::json json = profile::ProfileToJson(merged);
      json["coverage"] = profile::CoverageToJson(coverage);
      if (united.report) json["analysis"] = analyze::UnionToJson(*united.report);
      if (auto written = WriteOutputFile(flags.json_path, json.dump(2) + "\n"); !written.ok()) {
        return ReportError(written.error());
      }
    }
    if (!flags.quiet) std::fputs(profile::RenderCoverage(coverage).c_str(), stderr);
    if (!flags.quiet && united.report) std::fputs(analyze::RenderUnion(*united.report).c_str(), stderr);
  } else {
    if (!flags.json_path.empty()) {
      std::fprintf(stderr, "sysfence: error: --json needs recordings; policies merge into a policy only\n");
      return kExitBadInput;
    }
    text = policy::PrintPolicy(record::MergePolicies(policies));
  }
  if (flags.json_path.empty() || flags.output != "-") {
    if (auto written = WriteOutputFile(flags.output, text); !written.ok()) return ReportError(written.error());
  }
  return kExitOk;
}

const CommandRegistration kRegistration(21, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("merge", "Apply reported calls to a policy, or unite recordings or policies");
  sub->footer(kMergeHelp);
  auto flags = std::make_shared<MergeFlags>();
  sub->add_option("inputs", flags->inputs, "Recordings (record --json), policies, or one policy and events files")->required();
  sub->add_option("-o,--output", flags->output, "Write the merged policy to FILE (default: standard output)");
  sub->add_option("--json", flags->json_path, "Write the merged recording as JSON to FILE");
  sub->add_option("--default", flags->default_action, "What unrecorded syscalls get: an errno name or kill");
  sub->add_flag("--fs", flags->fs, "Add fs (Landlock) rules from the recorded paths");
  sub->callback([flags, exit_status] {
    flags->quiet = Quiet();  // -q: no coverage report on stderr
    *exit_status = MergeCommand(*flags);
  });
});

}  // namespace
}  // namespace sysfence::cli
