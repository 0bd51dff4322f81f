// SPDX-License-Identifier: Apache-2.0
// Options that take one of a known set of words (--format, --backend, --color ...): one list both
// validates the value while CLI11 parses and is read back for --help, the man pages and the shell
// completions, so what the shells offer is exactly what the command accepts.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sysfence::cli {

/// Restricts `option` to `words` (each without ',', '{' or '}'). Any other value is a usage error
/// while parsing ("--format: 'xml' is not one of text, json, sarif"), before the command starts;
/// --help shows the words as TYPE:{a,b,c}. Returns `option`.
CLI::Option* OneOf(CLI::Option* option, const std::vector<std::string>& words);

/// Restricts `option` to the values `accepts` takes, where `words` (each accepted) are the ones
/// --help shows and the completions offer: a set with aliases the list leaves out ("runc" and
/// "runc-v1.1.5" for the bundled base "runc-v1.1.x"). Any other value is a usage error, as above.
CLI::Option* OneOf(CLI::Option* option, const std::vector<std::string>& words,
                   std::function<bool(const std::string&)> accepts);

/// The words OneOf gave `option`, in the order given; empty for an option without.
std::vector<std::string> OneOfWords(const CLI::Option& option);

}  // namespace sysfence::cli
