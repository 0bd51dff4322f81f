// SPDX-License-Identifier: Apache-2.0
// Loading a policy from any supported input: .sfp text, OCI/Docker JSON, Kubernetes YAML or JSON.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/arch.h"
#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Options for loading.
struct LoadOptions {
  /// Capabilities granted ("CAP_SYS_ADMIN", ...), which choose the OCI rules whose includes/excludes
  /// name capabilities.
  std::set<std::string> capabilities;
  /// Release of the kernel the filter is for ("6.1", "6.18.0-1-amd64"), which OCI `minKernel`
  /// conditions are compared with. Empty: a kernel newer than every minKernel (includes.minKernel
  /// rules apply, excludes.minKernel rules do not).
  std::string kernel_version;
  /// The machine the profile is applied on, as Docker's runtime.GOARCH: it chooses the `archMap`
  /// entry and is what `includes.arches`/`excludes.arches` are matched against, and it is always
  /// one of the filter's ABIs (libseccomp adds the native ABI). Empty: the ABI sysfence was built for.
  std::optional<Arch> host_arch;
  /// Kubernetes input holding several SeccompProfiles: the metadata.name of the one to read
  /// (LoadPolicyFile takes it from a path written FILE#NAME).
  std::string object_name;
};

/// Whether `text` is a profile format sysfence imports (OCI/Docker or Kubernetes JSON, Kubernetes
/// YAML) rather than .sfp: what LoadPolicyText does not hand to the .sfp parser.
bool LooksLikeImportedProfile(std::string_view text);

/// Loads `text` read from `file_name`: JSON (first non-space byte '{') is read as an OCI/Docker
/// profile or a Kubernetes SeccompProfile (or List of them), YAML that starts like a Kubernetes
/// object (LooksLikeKubernetesYaml) as a SeccompProfile, anything else as .sfp. Diagnostics are added to
/// `diagnostics`; the Policy is returned only when there were no errors.
std::optional<policy::Policy> LoadPolicyText(std::string_view text, std::string_view file_name,
                                             const LoadOptions& options, Diagnostics& diagnostics);

/// Reads and loads the file at `path` ("-" for standard input) like LoadPolicyText. A `path`
/// that names no file but FILE#NAME does reads FILE's SeccompProfile called NAME.
std::optional<policy::Policy> LoadPolicyFile(const std::string& path, const LoadOptions& options,
                                             Diagnostics& diagnostics);

}  // namespace sysfence::formats
