// SPDX-License-Identifier: Apache-2.0
// Reading an events file (JSON Lines written by `sysfence run --events`, docs/events.md) back as
// the calls and Landlock accesses a policy did not let through, for `sysfence merge POLICY EVENTS`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/amend.h"
#include "policy/amend_landlock.h"

namespace sysfence::run {

/// What an events file reports that a policy did not let through.
struct Reports {
  std::vector<policy::ObservedCall> calls;        ///< refused syscalls
  std::vector<policy::ObservedAccess> accesses;  ///< Landlock accesses the fs/net rules refused
};

/// The reports of `text` (the contents of events file `path`):
/// - calls: syscall events with outcome denied, continued, killed, thread-killed, trapped or
///   aborted (calls `log` rules allowed are left out, as are start and summary lines). Each keeps
///   the arguments ConditionArgsOf names.
/// - accesses: landlock events (outcome continued, denied or aborted), read from their `suggest`
///   line (policy::ObservedAccessFromLine). A `suggest` of null is an access no rule can allow
///   (the walls between program and sysfence: scope or ptrace blockers) and is left out.
/// Each has the origin "reported at PATH:LINE (MODE, COMM)". Errors (kInvalidInput) name the file,
/// the line and the JSON path: a line that is not JSON, an event without its syscall, arch or args,
/// an unknown ABI, a landlock event without a `suggest` line (or null with fs/net blockers) or with
/// one that is not one fs path or one port, or a schema newer than 2.
Result<Reports> ReadReports(std::string_view text, const std::string& path);

/// Whether `text` looks like an events file (its first line is a JSON object with a "type" of
/// "start", "syscall", "landlock" or "summary").
bool LooksLikeEvents(std::string_view text);

}  // namespace sysfence::run
