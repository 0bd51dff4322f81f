// SPDX-License-Identifier: Apache-2.0
// The same policy compiled by libseccomp: the independent judge of the differential suites and the
// anchor of the compile benchmarks.
#pragma once

#include <span>
#include <string_view>

#include "bpf/program.h"
#include "core/arch.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::differential {

/// libseccomp's SCMP_FLTATR_CTL_OPTIMIZE levels.
enum class LibseccompOptimize { kPriority = 1, kBinaryTree = 2 };

/// True when libseccomp's tables give syscall `name` the number sysfence's give it on each of
/// `arches` (or both lack it there): only then do both compilers see the same rules.
bool LibseccompAgreesOnSyscall(std::string_view name, std::span<const Arch> arches);

/// Compiles `policy` with libseccomp (one context per ABI with the rules of that ABI, merged),
/// numbers taken from sysfence's tables, conditions converted to OR-ed libseccomp rules, values
/// on 32-bit arguments narrowed as policy.h says. Fails (kUnsupported) for what libseccomp cannot
/// express: a condition that is not a disjunction of conjunctions comparing each argument at most
/// once, a negated masked comparison, or a syscall whose number libseccomp's tables disagree on;
/// (kOs) when libseccomp refuses a rule.
/// With `skip_unknown_syscalls`, syscalls libseccomp's tables lack or number differently are left
/// out instead (what runc does with names its libseccomp cannot resolve).
Result<bpf::Program> CompileWithLibseccomp(const policy::Policy& policy, LibseccompOptimize optimize,
                                           bool skip_unknown_syscalls = false);

}  // namespace sysfence::differential
