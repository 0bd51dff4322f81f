// SPDX-License-Identifier: Apache-2.0
// The options every command takes (-q, -v, --color), given before or after the command name, and
// the conventions they drive: how loud a command is and whether its labels are coloured.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysfence::cli {

/// The global options, as parsed.
struct GlobalOptions {
  bool quiet = false;         ///< -q: errors only; no summaries, notes or progress
  bool verbose = false;       ///< -v: more detail (each command's --help says what)
  std::string color = "auto"; ///< --color: auto (a terminal, unless NO_COLOR is set), always, never
};

/// The process's global options (filled in by the parser; read by commands in their callbacks).
GlobalOptions& Globals();

/// True with -q.
inline bool Quiet() { return Globals().quiet; }
/// True with -v (and not -q).
inline bool Verbose() { return Globals().verbose && !Globals().quiet; }

/// Adds -q/--quiet, -v/--verbose and --color to `app`, and lets every subcommand pass options it
/// does not know to `app` (so `sysfence run -q ...` and `sysfence -q run ...` mean the same).
void AddGlobalOptions(CLI::App& app);

/// Whether text written to `stream` gets colour: --color=always, or auto with `stream` a terminal
/// and NO_COLOR unset or empty (https://no-color.org).
bool UseColor(std::FILE* stream);

/// The colours sysfence uses: red for errors, yellow for warnings, cyan for notes.
enum class Tint { kError, kWarning, kNote };

/// `text` wrapped in the escape sequences of `tint` when UseColor(stream), else `text` itself.
std::string Paint(std::string_view text, Tint tint, std::FILE* stream);

/// Colours the severity labels ("error:", "warning:", "note:") of rendered diagnostics for `stream`.
std::string PaintDiagnostics(std::string text, std::FILE* stream);

/// The name in `names` nearest to `word` (Damerau-Levenshtein distance at most 2, or a prefix of
/// it), if any.
std::optional<std::string> NearestName(std::string_view word, const std::vector<std::string>& names);

/// The command word of `argv` (the first argument that is not an option or an option's value)
/// when it names no subcommand of `app`; nullopt when it does, or when there is none.
std::optional<std::string> UnknownCommand(const CLI::App& app, int argc, const char* const* argv);

}  // namespace sysfence::cli
