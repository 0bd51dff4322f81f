// SPDX-License-Identifier: Apache-2.0
// How subcommands plug into the `sysfence` CLI: each cmd_*.cc file registers itself with a static
// CommandRegistration, so adding a command touches no shared file.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace sysfence::cli {

/// Exit statuses shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  ///< ran fine, but reports warnings, violations or a mismatch
inline constexpr int kExitBadInput = 2;  ///< bad input or usage: nothing was started or written
inline constexpr int kExitFailure = 3;   ///< the environment refused (permissions, kernel features)

/// `run`'s own statuses, as env(1) and timeout(1) use them, so that every other status is the
/// program's (docs/run.md, "Exit status").
inline constexpr int kExitRunFailed = 125;     ///< sysfence failed: bad input, or the environment refused
inline constexpr int kExitCannotExecute = 126; ///< the program was found but cannot be executed
inline constexpr int kExitNotFound = 127;      ///< the program was not found

/// Adds one subcommand to `app`. The callback it installs stores the command's exit status in
/// `*exit_status` (main returns it).
using CommandSetup = std::function<void(CLI::App& app, int* exit_status)>;

/// Registers a subcommand at static-initialization time. `order` sorts `--help` (lower first).
struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

/// Runs every registered setup on `app`, in order.
void SetUpCommands(CLI::App& app, int* exit_status);

/// "sysfence VERSION (commit COMMIT)": what --version prints.
std::string VersionText();

/// The whole CLI on `app`: --version, the global options (-q, -v, --color) and every command.
void SetUpApp(CLI::App& app, int* exit_status);

}  // namespace sysfence::cli
