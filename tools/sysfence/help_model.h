// SPDX-License-Identifier: Apache-2.0
// What the CLI11 definitions of `sysfence` and its commands say about them, read generically: the one
// source of the --help texts, the man pages and the shell completions (help_export).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace sysfence::cli {

/// One option or positional argument as --help shows it.
struct OptionInfo {
  std::vector<std::string> short_names;  ///< without the dash: "o"
  std::vector<std::string> long_names;   ///< without the dashes: "output"
  std::string positional_name;           ///< set for positional arguments only
  std::string value_name;                ///< "TEXT", "INT", ...; empty for a flag
  std::string description;
  std::vector<std::string> choices;  ///< the only values accepted (value_sets.h OneOf); empty: any
  bool required = false;
  bool repeats = false;  ///< may be given (or take values) several times
  /// True for flags (no value).
  bool IsFlag() const { return value_name.empty() && positional_name.empty(); }
};

/// One command (or the tool itself): what its --help prints.
struct CommandInfo {
  std::string name;     ///< "compile"; the tool's name for the root
  std::string summary;  ///< the one-line description
  std::string prose;    ///< the long text after the options (CLI11's footer)
  std::vector<OptionInfo> options;
  std::vector<OptionInfo> positionals;  ///< in command-line order
};

/// The tool: its root and every visible command, in --help order.
struct ToolInfo {
  CommandInfo root;
  std::vector<CommandInfo> commands;
};

/// Reads `app` and its visible subcommands (those --help lists: hidden ones, with an empty group,
/// are left out, as are hidden options).
ToolInfo DescribeApp(const CLI::App& app);

}  // namespace sysfence::cli
