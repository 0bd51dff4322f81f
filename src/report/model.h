// SPDX-License-Identifier: Apache-2.0
// The report's page model: everything a page shows, as one JSON object the page script draws from
// (docs/report.md lists its fields). Numbers are the inputs' own; nothing here is HTML.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/policy.h"
#include "profile/profile.h"
#include "report/events.h"

namespace sysfence::report {

/// A recording and the name it is shown under (its file name).
struct NamedRecording {
  std::string name;
  profile::Profile profile;
};

/// A policy and its file name.
struct NamedPolicy {
  std::string name;
  policy::Policy policy;
};

/// An events file's syscall events and its file name.
struct NamedEvents {
  std::string name;
  std::vector<Violation> violations;
};

/// What one report shows: up to two recordings (two are also compared), a policy (each rule with
/// the recorded calls it names as evidence), events files (violations over time by rule).
struct ReportInputs {
  std::vector<NamedRecording> recordings;
  std::optional<NamedPolicy> policy;
  std::vector<NamedEvents> events;
};

/// The page model of `inputs`.
nlohmann::json BuildModel(const ReportInputs& inputs);

/// A recording's section: totals, syscalls (most called first), calls per group, calls over time,
/// the process tree and the coverage lists (judged against `policy` when given).
nlohmann::json RecordingModel(const NamedRecording& recording, const policy::Policy* policy);

/// Each rule of `policy` (as printed, with its comment) and the calls of `recording` it names.
nlohmann::json PolicyModel(const NamedPolicy& policy, const profile::Profile* recording);

/// Violations per rule, and per rule over time in at most 60 intervals of a round length.
nlohmann::json EventsModel(const NamedEvents& events);

/// What differs between two recordings: syscalls only in one, and calls per syscall in both.
nlohmann::json DiffModel(const NamedRecording& a, const NamedRecording& b);

}  // namespace sysfence::report
