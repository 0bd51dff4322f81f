// SPDX-License-Identifier: Apache-2.0
// Helpers for the policy tests: parse text with in-memory includes, and show diagnostics compactly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "policy/parser.h"
#include "policy/policy.h"

namespace sysfence::policy::testing {

/// The result of parsing: the policy (when there were no errors) and every diagnostic.
struct Parsed {
  std::optional<Policy> policy;
  Diagnostics diagnostics;
};

/// Parses `text` as "test.sfp"; `files` are what `include` can read (by name, as written).
inline Parsed Parse(std::string_view text, std::map<std::string, std::string> files = {}) {
  Parsed parsed;
  ParseOptions options;
  options.resolve_include = [files](std::string_view path,
                                    std::string_view) -> Result<std::pair<std::string, std::string>> {
    auto it = files.find(std::string(path));
    if (it == files.end()) {
      return MakeError(ErrorCode::kNotFound, "cannot include '" + std::string(path) + "': no such file");
    }
    return std::make_pair(it->first, it->second);
  };
  parsed.policy = ParsePolicy(text, "test.sfp", parsed.diagnostics, options);
  return parsed;
}

/// Every diagnostic as "file:line:col: severity: message [hint]" lines.
inline std::string Show(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.all()) {
    static constexpr std::string_view kLabels[] = {"note", "warning", "error"};
    out += d.span.ToString() + ": " + std::string(kLabels[static_cast<int>(d.severity)]) + ": " + d.message;
    if (!d.hint.empty()) out += " [" + d.hint + "]";
    out += "\n";
  }
  return out;
}

/// Parses and returns the diagnostics shown, for error tests.
inline std::string Errors(std::string_view text, std::map<std::string, std::string> files = {}) {
  return Show(Parse(text, std::move(files)).diagnostics);
}

}  // namespace sysfence::policy::testing
