// SPDX-License-Identifier: Apache-2.0
// Loading a policy from any supported input: .sfp text or OCI/Docker (or Kubernetes) JSON.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Options for loading.
struct LoadOptions {
  /// Capabilities granted ("CAP_SYS_ADMIN", ...), which choose the OCI rules whose includes/excludes
  /// name capabilities.
  std::set<std::string> capabilities;
};

/// Loads `text` read from `file_name`: JSON (first non-space byte '{') is read as an OCI/Docker
/// profile or a Kubernetes SeccompProfile, anything else as .sfp. Diagnostics are added to
/// `diagnostics`; the Policy is returned only when there were no errors.
std::optional<policy::Policy> LoadPolicyText(std::string_view text, std::string_view file_name,
                                             const LoadOptions& options, Diagnostics& diagnostics);

/// Reads and loads the file at `path` ("-" for standard input) like LoadPolicyText.
std::optional<policy::Policy> LoadPolicyFile(const std::string& path, const LoadOptions& options,
                                             Diagnostics& diagnostics);

}  // namespace sysfence::formats
