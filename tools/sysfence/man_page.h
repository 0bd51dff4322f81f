// SPDX-License-Identifier: Apache-2.0
// Man pages (groff man macros) from the same CLI11 definitions --help prints: sysfence(1) and one
// sysfence-COMMAND(1) page per command.
#pragma once

#include <string>
#include <string_view>

#include "tools/sysfence/help_model.h"

namespace sysfence::cli {

/// `text` with groff's special characters escaped: backslashes, a leading '.' or '\'', dashes as
/// \- (so options copy as ASCII hyphen-minus) and non-ASCII UTF-8 as \[uXXXX].
std::string GroffEscape(std::string_view text);

/// --help prose (CLI11 footer text, lines already broken) as man page body: paragraphs (separated by
/// blank lines) are filled, indented lines (examples, tables) are kept as they are.
std::string ProseToGroff(std::string_view prose);

/// sysfence(1): the tool, its global options and the list of commands.
std::string RootManPage(const ToolInfo& tool, std::string_view version);

/// sysfence-NAME(1) for `command`.
std::string CommandManPage(const ToolInfo& tool, const CommandInfo& command, std::string_view version);

}  // namespace sysfence::cli
