// SPDX-License-Identifier: Apache-2.0
// Policy -> OCI/Docker seccomp profile JSON. The exporter is pure and deterministic, and exact: the
// profile, applied by runc through libseccomp, decides every syscall the way the policy does, or
// the export fails with a message that says what the schema cannot express.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// One argument comparison as the schema writes it.
struct OciArg {
  int index = 0;
  uint64_t value = 0;      ///< for SCMP_CMP_MASKED_EQ: the mask
  uint64_t value_two = 0;  ///< for SCMP_CMP_MASKED_EQ: the value the masked argument must equal
  policy::CompareOp op = policy::CompareOp::kEq;
  friend bool operator==(const OciArg&, const OciArg&) = default;
};

/// One entry of `syscalls`.
struct OciRule {
  std::vector<std::string> names;  ///< sorted
  Action action;
  std::vector<OciArg> args;  ///< ANDed, at most one per index
  std::string comment;
};

/// A profile in the schema's terms, before it is written as text.
struct OciProfile {
  Action default_action;
  std::vector<Arch> arches;
  std::vector<std::string> flags;
  std::vector<OciRule> rules;
};

/// Lowers `policy` into profile rules whose conditions are pairwise disjoint between different
/// actions, so libseccomp's rule merging cannot change what they decide. Warnings (dropped fs/net
/// rules, a bad-arch action the schema cannot carry, trap data) go to `diagnostics`. Fails
/// (kUnsupported) when a rule applies to only some of the policy's ABIs, or (kLimit) when a
/// condition needs more than kMaxCubes rules.
Result<OciProfile> LowerToOci(const policy::Policy& policy, Diagnostics& diagnostics);

/// Writes `profile` as a Docker/moby profile (defaultAction, defaultErrnoRet, architectures, flags,
/// syscalls), two-space indented, ending in a newline.
std::string WriteDockerJson(const OciProfile& profile);

/// LowerToOci then WriteDockerJson.
Result<std::string> ExportOciJson(const policy::Policy& policy, Diagnostics& diagnostics);

}  // namespace sysfence::formats
