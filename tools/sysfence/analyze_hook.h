// SPDX-License-Identifier: Apache-2.0
// How `sysfence record --analyze` and `sysfence merge` bring a static analysis into a recording
// (header-only: the CLI builds cmd_*.cc files).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "analyze/module_cache.h"
#include "analyze/program_analysis.h"
#include "analyze/recording_union.h"
#include "core/result.h"
#include "policy/policy.h"
#include "record/generate.h"
#include "profile/profile.h"

namespace sysfence::cli {

/// The file `program` names as execvp(3) would find it ("" when nowhere in PATH).
inline std::string ProgramInPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::stringstream folders(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const std::string candidate = (folder.empty() ? "." : folder) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

/// Analyses `program` (looked up in PATH) with the default library cache.
inline Result<analyze::Analysis> AnalyzeForRecording(const std::string& program) {
  const std::string path = ProgramInPath(program);
  if (path.empty()) return MakeError(ErrorCode::kNotFound, "--analyze: '" + program + "' is not in PATH");
  analyze::AnalyzeOptions options;
  options.cache_folder = analyze::DefaultCacheFolder();
  return analyze::AnalyzeProgram(path, options);
}

/// What a recording (maybe united with an analysis) generates.
struct UnitedPolicy {
  profile::Profile profile;  ///< the recording plus the analysis-only syscalls (0 calls)
  policy::Policy policy;
  std::optional<analyze::UnionReport> report;
};

/// Generates the policy for `recorded`, first united with `analysis` when there is one.
inline UnitedPolicy GenerateUnited(const profile::Profile& recorded, const std::optional<analyze::Analysis>& analysis,
                                   const record::GenerateOptions& options) {
  UnitedPolicy out;
  out.profile = recorded;
  if (analysis) out.report = analyze::UniteWithAnalysis(&out.profile, *analysis);
  out.policy = record::GeneratePolicy(out.profile, options);
  if (analysis) analyze::AnnotatePolicySources(&out.policy, *analysis, &*out.report);
  return out;
}

}  // namespace sysfence::cli
