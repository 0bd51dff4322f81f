// SPDX-License-Identifier: Apache-2.0
// The decompiler: a filter stack back to a `.sfp` policy (arch line, per-ABI rules with argument
// conditions as equalities, ranges and masks, the default, badarch, and an `unknown` line when the
// numbers past the syscall table are decided otherwise than the policy would by itself). Every
// syscall of every ABI the stack accepts is explored on the inputs a policy distinguishes
// (CanonicalRegion); what a policy cannot say (tests of the instruction pointer, of argument bits
// the kernel ignores, of arguments a syscall does not have, numbers without a name decided unlike
// the rest) is listed, never hidden.
// ProveDecompiled then compiles the text back and compares it with the original on every input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inspect/equivalence.h"
#include "inspect/explorer.h"
#include "policy/policy.h"

namespace sysfence::inspect {

/// A decompiled policy and what it could not express.
struct Decompilation {
  policy::Policy policy;
  /// One line per thing left out ("x86_64 personality: tests the upper half of 32-bit args[0] ...").
  std::vector<std::string> unexpressed;
  size_t regions = 0;  ///< leaves explored
};

/// Decompiles `stack` (verified filters; index 0 the first installed). Rules carry a comment naming
/// the deciding filter when the stack has more than one. Errors: see Explore.
Result<Decompilation> Decompile(const FilterStack& stack);

/// The proof of a decompilation.
struct RoundTrip {
  bpf::Program recompiled;      ///< the policy text compiled by sysfence
  EquivalenceReport report;     ///< stack vs recompiled, on every input
  /// Of report.differences, those that hold no input a policy distinguishes (they differ only in
  /// argument bits above the argument's width, which the kernel ignores).
  size_t only_ignored_bits = 0;
  /// Of report.differences, those on numbers inside their ABI's table that name no syscall (a
  /// policy gives them all its default; the filter decides some otherwise, e.g. runc's ENOSYS for
  /// the gaps above its profile's newest syscall). Numbers past the table are not excused: the
  /// `unknown` line decides them.
  size_t only_unnamed_numbers = 0;
  /// The differences in neither class: inputs a policy could tell apart, decided differently.
  size_t Unexplained() const { return report.difference_count - only_ignored_bits - only_unnamed_numbers; }
};

/// Parses `policy_text` (as written by PrintPolicy), compiles it, and checks it against `stack`.
Result<RoundTrip> ProveDecompiled(const FilterStack& stack, std::string_view policy_text);

}  // namespace sysfence::inspect
