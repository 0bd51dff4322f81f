// SPDX-License-Identifier: Apache-2.0
// Helpers `sysfence record` and `sysfence merge` share (header-only: the CLI builds cmd_*.cc files).
#pragma once

#include <sys/stat.h>

#include <string>

#include "core/action.h"
#include "core/errno_names.h"
#include "core/result.h"

namespace sysfence::cli {

/// Checks, before anything runs, that an output path can be written: its folder exists. "" and
/// "-" (standard output) always can.
inline Result<void> CheckOutputPath(const std::string& path) {
  if (path.empty() || path == "-") return Ok();
  const size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  struct stat st {};
  if (stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidInput, "cannot write '" + path + "': folder '" + folder + "' does not exist");
  }
  return Ok();
}

/// Parses --default: "kill" (kill the process), an errno name such as "EPERM" (short for "errno
/// EPERM"), or any kill or errno action in the grammar of core/action.h ("errno 38").
inline Result<Action> ParseDefaultAction(const std::string& text) {
  const std::string action_text = ErrnoFromName(text) ? "errno " + text : text;
  const ActionTextResult<Action> parsed = ParseActionText(action_text);
  if (parsed.ok() && (parsed.value->kind == ActionKind::kKillProcess || parsed.value->kind == ActionKind::kErrno)) {
    return *parsed.value;
  }
  std::string message = "--default: '" + text + "' is neither 'kill' nor an errno name such as EPERM";
  if (!parsed.ok()) message += " (" + parsed.error.message + ")";
  return MakeError(ErrorCode::kInvalidInput, message);
}

}  // namespace sysfence::cli
