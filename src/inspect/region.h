// SPDX-License-Identifier: Apache-2.0
// Regions of seccomp_data: what a set of paths through a filter knows about each 32-bit word.
// A filter only compares words (possibly masked) with constants, so every path's condition is a
// conjunction of per-word constraints; a Region holds one such conjunction and can produce a
// concrete witness inside it. The symbolic explorer and the equivalence checker are built on it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpf/program.h"

namespace sysfence::inspect {

/// Number of 32-bit words in seccomp_data (nr, arch, ip lo/hi, six args lo/hi).
inline constexpr size_t kWordCount = 16;

/// Word indexes (byte offset / 4).
namespace word {
inline constexpr uint32_t kNr = 0;
inline constexpr uint32_t kArch = 1;
inline constexpr uint32_t kIpLo = 2;
inline constexpr uint32_t kIpHi = 3;
/// Low word of argument `index`.
constexpr uint32_t ArgLo(int index) { return 4 + 2 * static_cast<uint32_t>(index); }
/// High word of argument `index`.
constexpr uint32_t ArgHi(int index) { return 5 + 2 * static_cast<uint32_t>(index); }
}  // namespace word

/// `(w & mask) == value` or, in an exclusion list, `!=`.
struct MaskedValue {
  uint32_t mask = 0;
  uint32_t value = 0;
  friend bool operator==(const MaskedValue&, const MaskedValue&) = default;
};

/// The comparison a conditional jump makes, on a word already and-ed with `mask`.
enum class WordTest : uint8_t { kEq, kGt, kGe, kSet };

/// What a path knows about one 32-bit word: an interval, bits fixed by masked equalities, and
/// excluded values (plain and masked). The word is any value satisfying all of them.
struct WordConstraint {
  uint32_t min = 0;
  uint32_t max = UINT32_MAX;
  uint32_t fixed_mask = 0;  ///< bits whose value is known
  uint32_t fixed_bits = 0;  ///< their values (a subset of fixed_mask)
  std::vector<uint32_t> excluded;  ///< sorted
  std::vector<MaskedValue> excluded_masked;

  /// True when nothing is known: every value satisfies it.
  bool IsFull() const;
  /// True when `value` satisfies every part.
  bool Admits(uint32_t value) const;
  /// A value satisfying every part, or nullopt when there is none (the constraint is empty).
  std::optional<uint32_t> Witness() const;
  /// Adds "(w & mask) TEST k" (holds) or its negation (!holds). Returns false when the test is
  /// one this representation cannot hold exactly (a `>`/`>=` on a partly masked word).
  bool Add(uint32_t mask, WordTest test, uint32_t k, bool holds);
  /// Adds every part of `other` (the intersection of the two).
  void Intersect(const WordConstraint& other);
  /// Makes the constraint empty (no value satisfies it).
  void SetEmpty() {
    min = 1;
    max = 0;
  }
  /// "1 <= w <= 9, (w & 0xf0) == 0x10, w != 4" for messages.
  std::string ToString() const;

  friend bool operator==(const WordConstraint&, const WordConstraint&) = default;
};

/// A conjunction of constraints, one per seccomp_data word.
struct Region {
  std::array<WordConstraint, kWordCount> words;

  /// True when every word has a witness.
  bool Satisfiable() const;
  /// A seccomp_data inside the region (each word its constraint's witness); nullopt when empty.
  std::optional<bpf::SeccompData> Witness() const;
  /// True when `data` lies inside the region.
  bool Admits(const bpf::SeccompData& data) const;
};

/// The smallest y >= x with (y & mask) == bits, or nullopt when there is none below 2^32.
std::optional<uint32_t> NextMatching(uint64_t x, uint32_t mask, uint32_t bits);

/// Word `index` of `data`.
uint32_t WordOf(const bpf::SeccompData& data, uint32_t index);

}  // namespace sysfence::inspect
