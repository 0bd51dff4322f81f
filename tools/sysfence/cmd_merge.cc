// SPDX-License-Identifier: Apache-2.0
// `sysfence merge`: unite recordings (JSON from `sysfence record --json`) or policies from many runs.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/load.h"
#include "policy/printer.h"
#include "profile/coverage.h"
#include "record/generate.h"
#include "record/merge_policies.h"
#include "profile/profile_json.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/record_common.h"

namespace sysfence::cli {
namespace {

constexpr const char* kMergeHelp =
    "Unites several runs. Recordings (JSON written by `sysfence record --json`) are merged as\n"
    "recordings: counts add up, argument values unite, and the policy is generated again from the\n"
    "whole (the best way: conditions and comments stay exact). Policies (.sfp or OCI JSON) are\n"
    "merged rule by rule: whatever any of them lets through, the result lets through; a deny rule\n"
    "(errno, kill) for a syscall survives only where no policy allows it unconditionally.\n"
    "Inputs must all be recordings or all be policies.\n"
    "\n"
    "With --json OUT the merged recording is written as JSON (recordings only).\n"
    "\n"
    "Examples:\n"
    "  sysfence merge run1.json run2.json run3.json -o app.sfp\n"
    "  sysfence merge --json all.json run1.json run2.json\n"
    "  sysfence merge web.sfp worker.sfp -o both.sfp\n"
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
  for (const std::string& input : flags.inputs) {
    auto text = ReadInputFile(input);
    if (!text.ok()) return ReportError(text.error());
    if (profile::LooksLikeProfileJson(*text)) {
      auto profile = profile::ProfileFromJson(*text, input);
      if (!profile.ok()) return ReportError(profile.error());
      profiles.push_back(std::move(profile.value()));
    } else {
      Diagnostics diagnostics;
      auto policy = formats::LoadPolicyText(*text, input, {}, diagnostics);
      if (!policy) return ReportDiagnostics(diagnostics, *text) == kExitOk ? kExitBadInput : kExitBadInput;
      policies.push_back(std::move(*policy));
    }
  }
  if (!profiles.empty() && !policies.empty()) {
    std::fprintf(stderr, "sysfence: error: cannot merge recordings with policies: give only one kind\n");
    return kExitBadInput;
  }
  std::string text;
  if (!profiles.empty()) {
    const profile::Profile merged = profile::MergeProfiles(profiles);
    record::GenerateOptions generate;
    generate.default_action = default_action.value();
    generate.fs_rules = flags.fs;
    const policy::Policy policy = record::GeneratePolicy(merged, generate);
    text = record::RenderGeneratedPolicy(merged, policy);
    const profile::CoverageReport coverage = profile::AnalyzeCoverage(merged, policy);
    if (!flags.json_path.empty()) {
      nlohmann::json json = profile::ProfileToJson(merged);
      json["coverage"] = profile::CoverageToJson(coverage);
      if (auto written = WriteOutputFile(flags.json_path, json.dump(2) + "\n"); !written.ok()) {
        return ReportError(written.error());
      }
    }
    if (!flags.quiet) std::fputs(profile::RenderCoverage(coverage).c_str(), stderr);
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
  CLI::App* sub = app.add_subcommand("merge", "Unite recordings (JSON) or policies from several runs");
  sub->footer(kMergeHelp);
  auto flags = std::make_shared<MergeFlags>();
  sub->add_option("inputs", flags->inputs, "Recordings (record --json) or policies")->required();
  sub->add_option("-o,--output", flags->output, "Write the merged policy to FILE (default: standard output)");
  sub->add_option("--json", flags->json_path, "Write the merged recording as JSON to FILE");
  sub->add_option("--default", flags->default_action, "What unrecorded syscalls get: an errno name or kill");
  sub->add_flag("--fs", flags->fs, "Add fs (Landlock) rules from the recorded paths");
  sub->add_flag("--quiet,-q", flags->quiet, "No coverage report on stderr");
  sub->callback([flags, exit_status] { *exit_status = MergeCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
