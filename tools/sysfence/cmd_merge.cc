// SPDX-License-Identifier: Apache-2.0
// `sysfence merge`: unite recordings (JSON from `sysfence record --json`) or policies from many runs.
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <set>
#include <utility>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/kubernetes.h"
#include "formats/load.h"
#include "formats/oci_export.h"
#include "policy/amend.h"
#include "policy/printer.h"
#include "profile/coverage.h"
#include "profile/replicas.h"
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
#include "tools/sysfence/value_sets.h"

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
    "Replicas of one workload: --workload W --container C takes the recordings of two or more\n"
    "replicas (nothing else) and adds to every rule's comment which replicas made its calls\n"
    "(\"seen by 2 of 3 replicas: 7c9d5-abcde, 7c9d5-fghij\"). An input W-C-SUFFIX.json is labelled\n"
    "SUFFIX (SPO's per-replica naming), LABEL=FILE is labelled LABEL, any other input by its name.\n"
    "-f k8s writes the SeccompProfile W-C (SPO's name for a recording merged over replicas) with\n"
    "the label spo.x-k8s.io/profile-recording=W; -f json an OCI profile; docs/kubernetes.md.\n"
    "\n"
    "Examples:\n"
    "  sysfence merge run1.json run2.json run3.json -o app.sfp\n"
    "  sysfence merge --json all.json run1.json run2.json\n"
    "  sysfence merge web.sfp worker.sfp -o both.sfp\n"
    "  sysfence run --monitor --events ev.jsonl --policy app.sfp -- ./app new-work\n"
    "  sysfence merge app.sfp ev.jsonl -o app2.sfp            # then enforce app2.sfp\n"    "  sysfence merge --workload web --container nginx -f k8s -o web-nginx.yaml \\\n"
    "      web-nginx-7c9d5-abcde.json web-nginx-7c9d5-fghij.json\n"
    "\n"
    "Exit status: 0 merged; 1 merged with warnings (what -f json/k8s cannot carry); 2 bad input\n"
    "(nothing written).";


struct MergeFlags {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string json_path;
  std::string default_action = "EPERM";
  std::string format = "sfp";
  std::string k8s_version = "v1";
  std::string workload;   // ProfileRecording name, for replica merges
  std::string container;  // the recorded container
  bool fs = false;
  bool quiet = false;
};

// Everything the inputs held, by kind.
struct MergeInputs {
  std::vector<profile::Profile> profiles;
  std::vector<std::string> profile_sources;
  std::vector<std::string> replica_labels;  // one per profile
  std::vector<policy::Policy> policies;
  std::vector<analyze::Analysis> analyses;
  std::vector<policy::ObservedCall> reported;
  size_t event_files = 0;
};

int WriteOrFail(const std::string& path, const std::string& text) {
  if (auto written = WriteOutputFile(path, text); !written.ok()) return ReportError(written.error());
  return kExitOk;
}

bool ReplicaMode(const MergeFlags& flags) { return !flags.workload.empty(); }

// An input written LABEL=FILE (when FILE exists and LABEL=FILE does not): the replica's label and
// the file. Otherwise the file, labelled like an SPO per-replica profile: the part of its name
// after <workload>-<container>-, or its name.
std::pair<std::string, std::string> LabelAndPath(const MergeFlags& flags, const std::string& input) {
  const size_t equals = input.find('=');
  if (equals != std::string::npos && equals > 0 && ::access(input.c_str(), F_OK) != 0 &&
      ::access(input.substr(equals + 1).c_str(), F_OK) == 0) {
    return {input.substr(0, equals), input.substr(equals + 1)};
  }
  const std::string base = input.substr(input.find_last_of('/') == std::string::npos ? 0 : input.find_last_of('/') + 1);
  return {profile::ReplicaSuffix(base, flags.workload, flags.container), input};
}

// Reads every input by what it holds; nullopt, or the exit status of a bad one.
std::optional<int> ReadInputs(const MergeFlags& flags, MergeInputs& in) {
  for (const std::string& input : flags.inputs) {
    const auto [label, path] = LabelAndPath(flags, input);
    auto text = ReadInputFile(path);
    if (!text.ok()) return ReportError(text.error());
    if (analyze::LooksLikeAnalysisJson(*text)) {
      auto analysis = analyze::AnalysisFromJson(*text, path);
      if (!analysis.ok()) return ReportError(analysis.error());
      in.analyses.push_back(std::move(analysis.value()));
    } else if (run::LooksLikeEvents(*text)) {
      auto calls = run::ReadReportedCalls(*text, path);
      if (!calls.ok()) return ReportError(calls.error());
      in.reported.insert(in.reported.end(), calls->begin(), calls->end());
      ++in.event_files;
    } else if (profile::LooksLikeProfileJson(*text)) {
      auto profile = profile::ProfileFromJson(*text, path);
      if (!profile.ok()) return ReportError(profile.error());
      in.profiles.push_back(std::move(profile.value()));
      in.profile_sources.push_back(path);
      in.replica_labels.push_back(label);
    } else {
      Diagnostics diagnostics;
      auto policy = formats::LoadPolicyText(*text, path, {}, diagnostics);
      if (!policy) {
        ReportDiagnostics(diagnostics, *text);
        return kExitBadInput;
      }
      in.policies.push_back(std::move(*policy));
    }
  }
  return std::nullopt;
}

// The merged policy in the chosen format: .sfp text (`sfp_text`), OCI JSON or a SeccompProfile
// named after the workload and container the way the Security Profiles Operator names recordings.
int WriteMerged(const MergeFlags& flags, const MergeInputs& in, const policy::Policy& policy,
                const std::string& sfp_text) {
  if (flags.format == "sfp") return WriteOrFail(flags.output, sfp_text);
  Diagnostics diagnostics;
  Result<std::string> text = MakeError(ErrorCode::kInternal, "no format");
  if (flags.format == "json") {
    text = formats::ExportOciJson(policy, diagnostics);
  } else if (flags.format == "k8s" || flags.format == "k8s-json") {
    formats::KubernetesExportOptions k8s;
    k8s.syntax = flags.format == "k8s" ? formats::KubernetesSyntax::kYaml : formats::KubernetesSyntax::kJson;
    k8s.version = flags.k8s_version == "v1beta1" ? formats::SeccompProfileVersion::kV1beta1
                                                 : formats::SeccompProfileVersion::kV1;
    std::string name = "merged-profile";
    if (ReplicaMode(flags)) {
      name = profile::RecordedProfileName(flags.workload, flags.container);
      k8s.labels["spo.x-k8s.io/profile-recording"] = flags.workload;
      std::string labels;
      for (const std::string& label : in.replica_labels) labels += (labels.empty() ? "" : ", ") + label;
      k8s.header_comments = {"sysfence merge of " + std::to_string(in.profiles.size()) + " replicas of " +
                                 flags.workload + "/" + flags.container + ": " + labels,
                             "each rule's comment says which replicas made its calls"};
    }
    text = formats::ExportKubernetesProfile(policy, name, k8s, diagnostics);
  }
  const int status = ReportDiagnostics(diagnostics, sfp_text);
  if (!text.ok()) return BadInput("cannot write " + flags.format + ": " + text.error().message);
  const int written = WriteOrFail(flags.output, *text);
  return written != kExitOk ? written : (status == kExitFindings ? kExitFindings : kExitOk);
}

// Checks the flags that do not depend on the inputs; nullopt when they are fine.
std::optional<int> CheckFlags(const MergeFlags& flags) {
  if (flags.inputs.empty()) return BadInput("give at least one recording or policy to merge");
  if (flags.workload.empty() != flags.container.empty()) {
    return BadInput("--workload and --container go together (the profile is named <workload>-<container>)");
  }
  for (const std::string& path : {flags.output, flags.json_path}) {
    if (auto writable = CheckOutputPath(path); !writable.ok()) return ReportError(writable.error());
  }
  return std::nullopt;
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

// Recordings (and analyses) merged into one recording, and the policy generated from it.
int MergeRecordings(const MergeFlags& flags, const MergeInputs& in, const Action& default_action) {
  std::optional<analyze::Analysis> analysis;
  if (!in.analyses.empty()) analysis = analyze::MergeAnalyses(in.analyses);
  std::vector<profile::Profile> profiles = in.profiles;
  if (analysis && profiles.empty()) profiles.push_back(analyze::ProfileFromAnalysis(*analysis));
  const profile::Profile merged = profile::MergeProfiles(profiles);
  record::GenerateOptions generate;
  generate.default_action = default_action;
  generate.fs_rules = flags.fs;
  UnitedPolicy united = GenerateUnited(merged, analysis, generate);
  if (ReplicaMode(flags)) {
    std::vector<profile::Replica> replicas;
    for (size_t i = 0; i < in.profiles.size(); ++i) replicas.push_back({in.replica_labels[i], &in.profiles[i]});
    profile::AnnotateReplicas(united.policy, replicas);
  }
  const profile::CoverageReport coverage = profile::AnalyzeCoverage(united.profile, united.policy);
  if (!flags.json_path.empty()) {
    nlohmann::json json = profile::ProfileToJson(merged);
    json["coverage"] = profile::CoverageToJson(coverage);
    if (united.report) json["analysis"] = analyze::UnionToJson(*united.report);
    if (int status = WriteOrFail(flags.json_path, json.dump(2) + "\n"); status != kExitOk) return status;
  }
  if (!flags.quiet) std::fputs(profile::RenderCoverage(coverage).c_str(), stderr);
  if (!flags.quiet && united.report) std::fputs(analyze::RenderUnion(*united.report).c_str(), stderr);
  if (!flags.json_path.empty() && flags.output == "-") return kExitOk;
  return WriteMerged(flags, in, united.policy, record::RenderGeneratedPolicy(merged, united.policy));
}

int MergeCommand(const MergeFlags& flags) {
  if (std::optional<int> bad = CheckFlags(flags)) return *bad;
  auto default_action = ParseDefaultAction(flags.default_action);
  if (!default_action.ok()) return ReportError(default_action.error());
  MergeInputs in;
  if (std::optional<int> bad = ReadInputs(flags, in)) return *bad;
  if (ReplicaMode(flags) && (in.profiles.size() < 2 || !in.policies.empty() || in.event_files != 0)) {
    return BadInput("--workload merges the recordings of two or more replicas (record --json), nothing else");
  }
  if (!in.analyses.empty() && !in.policies.empty()) {
    return BadInput("cannot merge analyses with policies: give analyses and recordings");
  }
  if (in.event_files != 0 || (!in.profiles.empty() && !in.policies.empty())) {
    return ApplyToPolicy(flags, in.policies, in.profiles, in.profile_sources, in.reported);
  }
  if (!in.profiles.empty() || !in.analyses.empty()) return MergeRecordings(flags, in, default_action.value());
  if (!flags.json_path.empty()) return BadInput("--json needs recordings; policies merge into a policy only");
  const policy::Policy merged = record::MergePolicies(in.policies);
  return WriteMerged(flags, in, merged, policy::PrintPolicy(merged));
}

const CommandRegistration kRegistration(21, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("merge", "Apply reported calls to a policy, or unite recordings or policies");
  sub->footer(kMergeHelp);
  auto flags = std::make_shared<MergeFlags>();
  sub->add_option("inputs", flags->inputs, "Recordings (record --json), policies, or one policy and events files")->required();
  sub->add_option("-o,--output", flags->output, "Write the merged policy to FILE (default: standard output)");
  sub->add_option("--json", flags->json_path, "Write the merged recording as JSON to FILE");
  sub->add_option("--default", flags->default_action, "What unrecorded syscalls get: an errno name or kill");
  OneOf(sub->add_option("-f,--format", flags->format, "sfp (default), json (OCI), k8s or k8s-json (SeccompProfile)"),
        {"sfp", "json", "k8s", "k8s-json"});
  OneOf(sub->add_option("--k8s-version", flags->k8s_version, "SeccompProfile apiVersion: v1 (default) or v1beta1"),
        {"v1", "v1beta1"});
  sub->add_option("--workload", flags->workload,
                  "Inputs are replicas of this workload (the ProfileRecording's name): per-replica comments");
  sub->add_option("--container", flags->container, "The recorded container (with --workload)");
  sub->add_flag("--fs", flags->fs, "Add fs (Landlock) rules from the recorded paths");
  sub->callback([flags, exit_status] {
    flags->quiet = Quiet();  // -q: no coverage report on stderr
    *exit_status = MergeCommand(*flags);
  });
});

}  // namespace
}  // namespace sysfence::cli
