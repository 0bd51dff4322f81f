// SPDX-License-Identifier: Apache-2.0
// What the report reads of an events file (`sysfence run --events`, docs/events.md): each reported
// call's time, rule, syscall, outcome and process, for violations over time by rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sysfence::report {

/// One syscall event of an events file.
struct Violation {
  double seconds = 0;   ///< since the first event of the file
  std::string rule;     ///< "web.sfp:12", "default", "badarch", ...
  std::string syscall;  ///< "" for numbers with no name
  std::string outcome;  ///< "denied", "continued", "killed", ...
  std::string comm;     ///< the process's command name (what the program chose to call itself)
  int pid = 0;
};

/// The syscall events of `text` (events file `path`), in file order; start and summary lines are
/// skipped. Errors (kInvalidInput) name PATH:LINE and the JSON path: a line that is not a JSON
/// object, a syscall event without a string `time` in RFC 3339 form, `rule` or `outcome`.
Result<std::vector<Violation>> ReadViolations(std::string_view text, const std::string& path);

/// Seconds since the epoch of an RFC 3339 UTC time ("2026-11-23T18:50:01.123456789Z"), or a negative
/// number when `time` is not one.
double ParseRfc3339(std::string_view time);

}  // namespace sysfence::report
