// SPDX-License-Identifier: Apache-2.0
// Running the CLI the way a user at a terminal does (on a pseudo-terminal) or through pipes, with
// a chosen environment, for tests of what sysfence prints only on terminals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sysfence::testsupport {

/// What one run produced.
struct TerminalRun {
  int exit_status = -1;  ///< exit status, or 128 + signal when killed
  std::string output;    ///< everything written to the terminal (stdout and stderr, as a user sees it)
};

/// Environment changes for a run: a value sets the variable, nullopt removes it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

/// Runs the sysfence binary with `args` on a new pseudo-terminal (stdin, stdout and stderr all the
/// terminal), with `env` applied; kills it after `timeout_s`.
TerminalRun RunOnTerminal(const std::vector<std::string>& args, const EnvChanges& env = {}, int timeout_s = 30);

/// The same through pipes (no terminal): stdout and stderr apart.
struct PipedRun {
  int exit_status = -1;
  std::string out;
  std::string err;
};
PipedRun RunPiped(const std::vector<std::string>& args, const EnvChanges& env = {}, int timeout_s = 30);

}  // namespace sysfence::testsupport
