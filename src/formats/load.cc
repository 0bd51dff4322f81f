// SPDX-License-Identifier: Apache-2.0
#include "formats/load.h"

#include "core/input_file.h"
#include "formats/oci_import.h"
#include "policy/parser.h"

namespace sysfence::formats {
namespace {

bool LooksLikeJson(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

std::optional<policy::Policy> LoadPolicyText(std::string_view text, std::string_view file_name,
                                             const LoadOptions& options, Diagnostics& diagnostics) {
  if (LooksLikeJson(text)) return ImportOciProfile(text, file_name, options, diagnostics);
  return policy::ParsePolicy(text, file_name, diagnostics);
}

std::optional<policy::Policy> LoadPolicyFile(const std::string& path, const LoadOptions& options,
                                             Diagnostics& diagnostics) {
  Result<std::string> text = ReadInputFile(path);
  if (!text.ok()) {
    diagnostics.Error(SourceSpan{path == "-" ? "<stdin>" : path, 0, 0, 0, ""}, text.error().message);
    return std::nullopt;
  }
  return LoadPolicyText(*text, path == "-" ? "<stdin>" : path, options, diagnostics);
}

}  // namespace sysfence::formats
