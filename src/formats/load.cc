// SPDX-License-Identifier: Apache-2.0
#include "formats/load.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

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
  std::string text;
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    text = buffer.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      diagnostics.Error(SourceSpan{path, 0, 0, 0, ""}, std::string("cannot open the policy: ") + std::strerror(errno));
      return std::nullopt;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
      diagnostics.Error(SourceSpan{path, 0, 0, 0, ""}, "cannot read the policy");
      return std::nullopt;
    }
  }
  return LoadPolicyText(text, path == "-" ? "<stdin>" : path, options, diagnostics);
}

}  // namespace sysfence::formats
