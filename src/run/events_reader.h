// SPDX-License-Identifier: Apache-2.0
// Reading an events file (JSON Lines written by `sysfence run --events`, docs/events.md) back as
// the calls a policy did not let through, for `sysfence merge POLICY EVENTS`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/amend.h"

namespace sysfence::run {

/// The calls of `text` (the contents of events file `path`) that the policy refused or would have
/// refused: syscall events with outcome denied, continued, killed, thread-killed, trapped or
/// aborted (calls `log` rules allowed are left out, as are start and summary lines). Each keeps
/// the arguments ConditionArgsOf names and an origin "reported at PATH:LINE (MODE, COMM)". Errors
/// (kInvalidInput) name the file, the line and the JSON path: a line that is not JSON, an event
/// without its syscall, arch or args, an unknown ABI or a schema newer than 2.
Result<std::vector<policy::ObservedCall>> ReadReportedCalls(std::string_view text, const std::string& path);

/// Whether `text` looks like an events file (its first line is a JSON object with a "type" of
/// "start", "syscall" or "summary").
bool LooksLikeEvents(std::string_view text);

}  // namespace sysfence::run
