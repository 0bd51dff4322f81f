// SPDX-License-Identifier: Apache-2.0
// An analysis united with a recording (`record --analyze`, `merge` of an analysis with a
// recording), and an analysis alone turned into a policy: every syscall either found allowed, each
// rule's comment saying where it came from (seen in the run, found in the code, or both).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/program_analysis.h"
#include "policy/policy.h"
#include "profile/profile.h"

namespace sysfence::analyze {

/// How a recording and an analysis compare.
struct UnionReport {
  std::vector<std::string> seen_and_found;  ///< recorded and found by the analysis
  std::vector<std::string> analysis_only;   ///< reachable, never made in the run: likely production surprises
  std::vector<std::string> recorded_only;   ///< made, but the analysis missed them (its blind spots)
  std::vector<std::string> unresolved;      ///< "module 0x1234 in function: reason" (capped)
  std::vector<std::string> not_analyzed;
};

/// Adds every syscall of `analysis` missing from `recording` (0 calls) and says which came from where.
UnionReport UniteWithAnalysis(profile::Profile* recording, const Analysis& analysis);

/// A profile of the analysed program with every syscall found (0 calls), for policy generation.
profile::Profile ProfileFromAnalysis(const Analysis& analysis);

/// Rewrites the comment of every generated rule allowing one syscall so it names its source:
/// "seen: <evidence>; also found in <function> (<module>)", or "analysis only: …". With `report`
/// null every syscall counts as analysis only.
void AnnotatePolicySources(policy::Policy* policy, const Analysis& analysis, const UnionReport* report);

/// Unites several analyses (of the programs one workload runs): every syscall any of them found.
Analysis MergeAnalyses(const std::vector<Analysis>& analyses);

/// The comparison as a few lines for stderr.
std::string RenderUnion(const UnionReport& report);

/// The comparison as JSON (every list complete).
nlohmann::json UnionToJson(const UnionReport& report);

}  // namespace sysfence::analyze
