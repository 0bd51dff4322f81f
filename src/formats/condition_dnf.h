// SPDX-License-Identifier: Apache-2.0
// Conditions in the shape libseccomp-based schemas can hold: a disjunction of cubes, each cube a
// conjunction with at most one comparison per argument, every comparison exact under both
// sysfence's semantics (32-bit arguments are their low half) and libseccomp's (64-bit compares).
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// Conjunction of comparisons, at most one per argument, sorted by argument index.
using Cube = std::vector<policy::Comparison>;

/// Disjunction of cubes: empty = false; containing an empty cube = true.
using Dnf = std::vector<Cube>;

/// How each argument is compared: 16 (low 16 bits only), 32 (low half only) or 64 bits.
struct ArgWidths {
  std::array<int, 6> bits = {64, 64, 64, 64, 64, 64};
  /// True when every ABI the result is for compares only 32 bits anyway (32-bit ABIs), so
  /// comparisons on 32-bit arguments need no explicit 0xffffffff mask.
  bool native_32 = false;
};

/// Most cubes one condition may expand to before the conversion gives up.
inline constexpr size_t kMaxCubes = 4096;

/// Converts `condition` (negated when `negate`) into an exact Dnf. Fails (kLimit) past kMaxCubes.
Result<Dnf> ToDnf(const policy::Condition& condition, bool negate, const ArgWidths& widths);

/// The conjunction of `a` and `b`, normalized. Fails (kLimit) past kMaxCubes.
Result<Dnf> AndDnf(const Dnf& a, const Dnf& b, const ArgWidths& widths);

/// The negation of `a`, normalized. Fails (kLimit) past kMaxCubes.
Result<Dnf> NotDnf(const Dnf& a, const ArgWidths& widths);

/// Whether `cube` holds for `args` under sysfence's semantics with `widths` (for tests).
bool CubeHolds(const Cube& cube, const uint64_t (&args)[6], const ArgWidths& widths);

}  // namespace sysfence::formats
