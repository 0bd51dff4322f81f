// SPDX-License-Identifier: Apache-2.0
// Kubernetes SeccompProfile objects in -> policy::Policy: YAML (read with yaml-cpp) and JSON, a
// single object, several YAML documents, or a List (`kind: List` or `SeccompProfileList` with
// `items`). The chosen object's fields are read by the OCI importer (oci_import.h), so a
// SeccompProfile means what its `spec` means to runc; every diagnostic names the YAML line:col and
// the JSON path of the offending value.
#pragma once

#include <optional>
#include <string_view>

#include "core/diagnostic.h"
#include "formats/load.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Most YAML nodes one input may expand to (aliases included) before it is refused.
inline constexpr size_t kMaxYamlNodes = 1'000'000;

/// Whether `text` reads as Kubernetes YAML rather than .sfp: its first line that is not blank or a
/// comment is `---`, `%YAML ...`, or starts with `apiVersion:` or `kind:`.
bool LooksLikeKubernetesYaml(std::string_view text);

/// Whether the JSON `text` is a Kubernetes List (`"kind": "List"` or `"...List"` with `items`).
bool IsKubernetesJsonList(std::string_view text);

/// Reads the SeccompProfile in `text` (YAML or JSON) read from `file_name`. With several, the one
/// whose metadata.name is `options.object_name`; without a name, there must be exactly one (the
/// error lists the names). Objects of other kinds (a ProfileBinding beside the profile) are skipped.
/// The Policy is returned only when there were no errors.
std::optional<policy::Policy> ImportKubernetesText(std::string_view text, std::string_view file_name,
                                                   const LoadOptions& options, Diagnostics& diagnostics);

}  // namespace sysfence::formats
