// SPDX-License-Identifier: Apache-2.0
// What a Kubernetes SeccompProfile cannot carry of a policy, and where in a pod it belongs instead.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace sysfence::formats {

/// One sentence for each part of `policy` a SeccompProfile (security-profiles-operator) cannot
/// carry, naming the pod setting that can; empty when the profile carries everything. The writer
/// reports each as a warning.
std::vector<std::string> SeccompProfileCannotCarry(const policy::Policy& policy);

}  // namespace sysfence::formats
