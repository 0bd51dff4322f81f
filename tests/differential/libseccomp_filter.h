// SPDX-License-Identifier: Apache-2.0
// The same policy compiled by libseccomp: the independent judge of the differential suites and the
// anchor of the compile benchmarks.
#pragma once

#include "bpf/program.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::differential {

/// libseccomp's SCMP_FLTATR_CTL_OPTIMIZE levels.
enum class LibseccompOptimize { kPriority = 1, kBinaryTree = 2 };

/// Compiles `policy` with libseccomp (one context per ABI with the rules of that ABI, merged),
/// numbers taken from sysfence's tables, conditions converted to OR-ed libseccomp rules, values
/// on 32-bit arguments narrowed as policy.h says. Fails (kUnsupported) for what libseccomp cannot
/// express: a condition that is not a disjunction of conjunctions comparing each argument at most
/// once, or a negated masked comparison; (kOs) when libseccomp refuses a rule.
Result<bpf::Program> CompileWithLibseccomp(const policy::Policy& policy, LibseccompOptimize optimize);

}  // namespace sysfence::differential
