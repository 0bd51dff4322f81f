// SPDX-License-Identifier: Apache-2.0
// Policy -> Kubernetes SeccompProfile (the Security Profiles Operator's CRD,
// security-profiles-operator.x-k8s.io, v1 by default), as YAML (written with yaml-cpp) or JSON.
// Reading them back is kubernetes_reader.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// The text syntax of a Kubernetes object.
enum class KubernetesSyntax : uint8_t { kYaml, kJson };

/// The SeccompProfile API version written. v1 is the CRD's storage version; v1beta1 is still
/// served (same fields) for clusters with an older operator.
enum class SeccompProfileVersion : uint8_t { kV1, kV1beta1 };

/// The apiVersion string of `version` ("security-profiles-operator.x-k8s.io/v1").
std::string_view SeccompProfileApiVersion(SeccompProfileVersion version);

/// Options for ExportKubernetesProfile.
struct KubernetesExportOptions {
  KubernetesSyntax syntax = KubernetesSyntax::kYaml;
  SeccompProfileVersion version = SeccompProfileVersion::kV1;
  /// metadata.labels and metadata.annotations (written sorted; empty: left out).
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  /// Comment lines written before the object (YAML only; JSON has no comments).
  std::vector<std::string> header_comments;
};

/// Lowers `name` to a DNS-1123 object name: lower case, other characters become '-', no leading
/// or trailing '-', at most 253 characters; "sysfence-profile" when nothing is left.
std::string KubernetesObjectName(std::string_view name);

/// Exports `policy` as a SeccompProfile object called KubernetesObjectName(`name`). The rules are
/// those of ExportOciJson (exact under runc); each rule's comment (an OCI `comment`, a merge's
/// provenance) is a YAML comment above its entry, since the CRD has no comment field. The CRD has
/// no defaultErrnoRet, so a default errno other than EPERM is a warning; an argument value of
/// 2^63 or more does not fit the CRD's int64 and fails (kUnsupported). Deterministic.
Result<std::string> ExportKubernetesProfile(const policy::Policy& policy, std::string_view name,
                                            const KubernetesExportOptions& options, Diagnostics& diagnostics);

/// ExportKubernetesProfile with the default options (v1) in `syntax`.
Result<std::string> ExportKubernetesProfile(const policy::Policy& policy, std::string_view name,
                                            KubernetesSyntax syntax, Diagnostics& diagnostics);

}  // namespace sysfence::formats
