// SPDX-License-Identifier: Apache-2.0
// Policy -> IR.
#pragma once

#include "core/result.h"
#include "ir/ir.h"
#include "policy/policy.h"

namespace sysfence::ir {

/// Builds the IR of `policy`: expands @groups, resolves names per ABI (a name an ABI lacks does not
/// apply there), skips rules restricted to other ABIs, orders rules first-match, lowers conditions
/// and merges equal neighbouring ranges. Fails (kNotFound) on a syscall or group no ABI knows,
/// (kInvalidInput) on a policy without ABIs or a malformed condition.
Result<Ir> BuildIr(const policy::Policy& policy);

}  // namespace sysfence::ir
