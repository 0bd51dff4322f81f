// SPDX-License-Identifier: Apache-2.0
// Semantic checks of a Policy: the rules every front end must obey (the .sfp parser reports them at
// the exact token; CheckPolicy reports them for policies built in code or imported).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"
#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// A problem found by a check: the message and an optional hint (a fix or a suggestion).
struct Problem {
  std::string message;
  std::string hint;
};

/// Highest argument index seccomp can see (arg0..arg5).
inline constexpr int kMaxArgIndex = 5;

/// The index named by `word` for a rule on `syscalls`: "arg0".."arg5", or an argument name from the
/// syscalls' signatures that must sit at the same index in every one of them.
std::optional<int> ResolveArgument(std::string_view word, const std::vector<std::string>& syscalls,
                                   Problem& problem);

/// Whether a condition may look at argument `index` of every one of `syscalls`: the index is in
/// range, the syscall has that many arguments, and the argument is not a pointer.
std::optional<Problem> CheckArgumentUse(int index, const std::vector<std::string>& syscalls);

/// Whether a condition may look at `compare`'s argument (by position, or by Comparison::arg_name)
/// in every one of `syscalls` on every one of `arches` that has it, each with the ABI's own
/// signature (syscalls::ArgsOfOn): the argument exists there and is not a pointer. Messages name the
/// ABI where its signature differs from x86_64's (x86's mmap is old_mmap: no `prot` to check).
std::optional<Problem> CheckArgumentUseOn(const Comparison& compare, const std::vector<std::string>& syscalls,
                                          const std::vector<Arch>& arches);

/// The narrowest width (16, 32 or 64 bits) argument `index` has among `syscalls` on `arches`.
int ArgumentWidth(const std::vector<Arch>& arches, const std::vector<std::string>& syscalls, int index);

/// The narrowest width `compare`'s argument (by position, or by name resolved per ABI) has among
/// `syscalls` on `arches`.
int ArgumentWidthOf(const std::vector<Arch>& arches, const std::vector<std::string>& syscalls,
                    const Comparison& compare);

/// Whether `value` is a valid operand for an argument `width_bits` wide: anything for 64 bits;
/// 0..2^N-1 or a sign-extended N-bit negative (-2^(N-1)..-1) for N = 16 or 32.
bool FitsArgumentWidth(uint64_t value, int width_bits);

/// The problem with `value` used on an argument `width_bits` (16 or 32) wide, for messages
/// ("value 0x109ed does not fit the 16-bit argument 'mode'").
Problem WidthProblem(uint64_t value, std::string_view argument, bool is_mask, int width_bits = 32);

/// The argument name to print for `index` in a rule on `syscalls`: the signature's name when every
/// syscall has the same name there (and that name resolves back to `index`), else "argN".
std::string ArgumentDisplayName(int index, const std::vector<std::string>& syscalls);

/// ArgumentDisplayName for a rule on `arches`: the name that sits at `index` in the signature of
/// every syscall on every one of `arches` that has it (ArgsOfOn), else "argN": arg1 of clone is
/// clone_flags on s390x alone, and "arg0" with x86_64 and s390x. With no `arches`, the same as
/// ArgumentDisplayName(index, syscalls).
std::string ArgumentDisplayName(int index, const std::vector<std::string>& syscalls, const std::vector<Arch>& arches);

/// Checks an errno value (1..4095) of an `errno` action.
std::optional<Problem> CheckErrnoValue(uint64_t value);

/// Checks a whole Policy for what makes it invalid (errors only; LintPolicy gives warnings): ABIs
/// listed once and not empty, action data in range, known syscalls and groups, rule ABIs among the
/// policy's, conditions well-formed (arguments in range, not pointers, values that fit the
/// argument's width, and/or with two or more children), fs rules with known rights and absolute
/// paths. Diagnostics use the spans the policy carries.
void CheckPolicy(const Policy& policy, Diagnostics& diagnostics);

}  // namespace sysfence::policy
