// SPDX-License-Identifier: Apache-2.0
#include "formats/load.h"

#include "core/input_file.h"
#include "formats/kubernetes_reader.h"
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

bool LooksLikeImportedProfile(std::string_view text) {
  return LooksLikeJson(text) || LooksLikeKubernetesYaml(text);
}

std::optional<policy::Policy> LoadPolicyText(std::string_view text, std::string_view file_name,
                                             const LoadOptions& options, Diagnostics& diagnostics) {
  if (LooksLikeJson(text)) {
    if (IsKubernetesJsonList(text)) return ImportKubernetesText(text, file_name, options, diagnostics);
    return ImportOciProfile(text, file_name, options, diagnostics);
  }
  if (LooksLikeKubernetesYaml(text)) return ImportKubernetesText(text, file_name, options, diagnostics);
  return policy::ParsePolicy(text, file_name, diagnostics);
}

std::optional<policy::Policy> LoadPolicyFile(const std::string& path, const LoadOptions& options,
                                             Diagnostics& diagnostics) {
  Result<std::string> text = ReadInputFile(path);
  if (const size_t hash = path.rfind('#'); !text.ok() && hash != std::string::npos && hash > 0) {
    // FILE#NAME: one SeccompProfile of a file that holds several.
    if (Result<std::string> whole = ReadInputFile(path.substr(0, hash)); whole.ok()) {
      LoadOptions named = options;
      named.object_name = path.substr(hash + 1);
      return LoadPolicyText(*whole, path.substr(0, hash), named, diagnostics);
    }
  }
  if (!text.ok()) {
    diagnostics.Error(SourceSpan{path == "-" ? "<stdin>" : path, 0, 0, 0, ""}, text.error().message);
    return std::nullopt;
  }
  return LoadPolicyText(*text, path == "-" ? "<stdin>" : path, options, diagnostics);
}

}  // namespace sysfence::formats
