// SPDX-License-Identifier: Apache-2.0
// Lowering of policy conditions to decision DAGs over single 32-bit words.
#pragma once

#include <array>

#include "core/result.h"
#include "ir/node_builder.h"
#include "policy/policy.h"

namespace sysfence::ir {

/// Width in bits (16, 32 or 64) of each of the six arguments of one syscall on one ABI.
using ArgWidths = std::array<int, 6>;

/// The node deciding `compare` on an argument `width_bits` wide (policy.h semantics): continues at
/// `if_true` when it holds, else at `if_false`. 32-bit arguments test the low word only, 16-bit
/// ones the low word masked with 0xffff, and both fold constants no value of that width can reach; 64-bit order comparisons test the high word first and
/// the low word only when the high words are equal.
NodeId LowerComparison(NodeBuilder& builder, const policy::Comparison& compare, int width_bits, NodeId if_true,
                       NodeId if_false);

/// The node deciding `condition` (which must be valid, see ValidateCondition).
NodeId LowerCondition(NodeBuilder& builder, const policy::Condition& condition, const ArgWidths& widths,
                      NodeId if_true, NodeId if_false);

/// Checks what LowerCondition relies on: argument indexes 0..5 (or a name, which the caller
/// resolves per ABI with policy::ResolveArgumentsOn before lowering), two or more children for && and ||,
/// exactly one for !, and a nesting depth of at most 200.
Result<void> ValidateCondition(const policy::Condition& condition);

}  // namespace sysfence::ir
