// SPDX-License-Identifier: Apache-2.0
// The one JSON parser of sysfence's readers (OCI/Kubernetes profiles, recordings, weights): never
// throws, bounds the nesting depth, and says where a bad value is as a JSON path ("$.syscalls[3]").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sysfence::formats {

/// Why a text is not an acceptable JSON document, and where.
struct JsonReadError {
  /// What went wrong.
  enum class Kind : uint8_t {
    kSyntax,  ///< not JSON at all
    kRange,   ///< a number no double holds
    kDepth,   ///< nested deeper than allowed
  };
  Kind kind = Kind::kSyntax;
  std::string json_path;  ///< the value being read when it failed ("$" for the document)
  size_t offset = 0;      ///< byte offset (0-based) of the offending character
  std::string reason;     ///< "number 1e400 is out of range", "syntax error: ...", "nested deeper than 64 levels"
};

/// Nesting that every reader accepts: far deeper than any profile or recording, shallow enough that
/// walking or printing the document cannot exhaust the stack.
inline constexpr size_t kMaxJsonReaderDepth = 256;

/// Parses `text` as one JSON document no deeper than `max_depth` arrays/objects. Numbers that do not
/// fit a double (1e400), syntax errors and excess depth are returned in `*error`, never thrown.
[[nodiscard]] std::optional<nlohmann::json> ReadJson(std::string_view text, JsonReadError* error,
                                                     size_t max_depth = kMaxJsonReaderDepth);

}  // namespace sysfence::formats
