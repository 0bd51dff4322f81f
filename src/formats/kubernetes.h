// SPDX-License-Identifier: Apache-2.0
// Policy -> Kubernetes SeccompProfile (security-profiles-operator.x-k8s.io/v1beta1), as YAML or JSON.
#pragma once

#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// The text syntax of a Kubernetes object.
enum class KubernetesSyntax : uint8_t { kYaml, kJson };

/// Exports `policy` as a SeccompProfile object called `name` (a DNS-1123 name; anything else is
/// lowered and its other characters become '-'). The rules are those of ExportOciJson; the CRD has
/// no defaultErrnoRet, so a default errno other than EPERM is a warning. Deterministic.
Result<std::string> ExportKubernetesProfile(const policy::Policy& policy, std::string_view name,
                                            KubernetesSyntax syntax, Diagnostics& diagnostics);

}  // namespace sysfence::formats
