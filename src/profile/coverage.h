// SPDX-License-Identifier: Apache-2.0
// The coverage report: how much a recording can be trusted, and what its policy ends up allowing
// that deserves a second look.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/policy.h"
#include "profile/profile.h"

namespace sysfence::profile {

/// What a reviewer should know about a recording and the policy generated from it.
struct CoverageReport {
  std::vector<std::string> seen_once;        ///< syscalls made exactly once: a rare path, maybe
  std::vector<std::string> startup_only;     ///< only in the first calls of a process image
  std::vector<std::string> single_process;   ///< only one of several process images made them
  std::vector<std::string> dangerous;        ///< "name: reason" for risky syscalls the policy allows
  std::vector<std::string> unnamed;          ///< numbers the tables cannot name (left out)
  std::vector<std::string> limits;           ///< what no recording can prove (always present)
};

/// Analyses `profile` and the `policy` generated from it.
CoverageReport AnalyzeCoverage(const Profile& profile, const policy::Policy& policy);

/// The report as text for stderr (a few lines, each list capped, then the reminders).
std::string RenderCoverage(const CoverageReport& report);

/// The report as a JSON object (every list complete).
nlohmann::json CoverageToJson(const CoverageReport& report);

}  // namespace sysfence::profile
