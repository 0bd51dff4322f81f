// SPDX-License-Identifier: Apache-2.0
// The .sfp policy language: text -> Policy. See docs/policy-language.md for the grammar.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// Reads an included file: given the path as written and the including file's path, returns the
/// resolved path and its text, or an error. The default reads the file system relative to the
/// including file's folder; tests and fuzzers pass an in-memory resolver.
using IncludeResolver = std::function<Result<std::pair<std::string, std::string>>(
    std::string_view include_path, std::string_view including_file)>;

/// Options for parsing.
struct ParseOptions {
  IncludeResolver resolve_include;  ///< empty: read from the file system
  /// When set, receives the text of every file parsed (the top file and each include), by the name
  /// diagnostics use, so a caller can render source lines for diagnostics in included files.
  std::map<std::string, std::string>* sources = nullptr;
};

/// Parses policy text named `file_name` (used in diagnostics). Every error found is added to
/// `diagnostics` (the parser keeps going); the Policy is returned only when there were none. Only
/// errors are reported here: warnings come from LintPolicy (policy/lint.h), which `sysfence check`
/// runs on the result.
std::optional<Policy> ParsePolicy(std::string_view text, std::string_view file_name, Diagnostics& diagnostics,
                                  const ParseOptions& options = {});

}  // namespace sysfence::policy
