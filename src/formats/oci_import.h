// SPDX-License-Identifier: Apache-2.0
// The OCI/Docker seccomp profile front end: JSON text -> policy::Policy, with the meaning runc and
// libseccomp give the profile (see docs/formats.md for the mapping and the rule-ordering rules).
//
// Accepted documents: a Docker/moby profile (`defaultAction`, `archMap`, `syscalls`, ...), the
// `linux.seccomp` object of an OCI runtime config.json, and a Kubernetes SeccompProfile
// (security-profiles-operator.x-k8s.io, `kind: SeccompProfile`, fields under `spec`).
#pragma once

#include <optional>
#include <string_view>

#include "core/diagnostic.h"
#include "formats/load.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Most nesting of arrays and objects the importer accepts (deeper input is an error, not a crash).
inline constexpr int kMaxJsonDepth = 64;

/// Imports the JSON profile `text` read from `file_name`. Every problem is added to `diagnostics`
/// with the JSON path of the offending value (malformed JSON: line, column and byte offset). The
/// Policy is returned only when there were no errors.
std::optional<policy::Policy> ImportOciProfile(std::string_view text, std::string_view file_name,
                                               const LoadOptions& options, Diagnostics& diagnostics);

/// Parses a kernel release such as "6.1", "5.15.0-91-generic" into (major, minor); nullopt when
/// it does not start with "MAJOR.MINOR".
std::optional<std::pair<int, int>> ParseKernelRelease(std::string_view release);

}  // namespace sysfence::formats
