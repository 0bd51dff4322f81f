// SPDX-License-Identifier: Apache-2.0
#include "inspect/region.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace sysfence::inspect {
namespace {

uint32_t LowMask(int bits) { return bits >= 32 ? UINT32_MAX : (uint32_t{1} << bits) - 1; }

// The smallest value in [min, max] with the fixed bits and none of the excluded values.
std::optional<uint32_t> SmallestAllowed(const WordConstraint& c, uint32_t mask, uint32_t bits) {
  std::optional<uint32_t> candidate = NextMatching(c.min, mask, bits);
  while (candidate && *candidate <= c.max) {
    if (!std::binary_search(c.excluded.begin(), c.excluded.end(), *candidate)) return candidate;
    if (*candidate == UINT32_MAX) return std::nullopt;
    candidate = NextMatching(uint64_t{*candidate} + 1, mask, bits);
  }
  return std::nullopt;
}

// Satisfies the masked exclusions from `next` on by fixing one differing bit of each (a search
// over the free bits of its mask), then looks for the smallest value with those bits.
std::optional<uint32_t> Solve(const WordConstraint& c, uint32_t mask, uint32_t bits, size_t next) {
  for (size_t i = next; i < c.excluded_masked.size(); ++i) {
    const MaskedValue& excluded = c.excluded_masked[i];
    if ((mask & excluded.mask & (bits ^ excluded.value)) != 0) continue;  // already differs on a fixed bit
    const uint32_t free = excluded.mask & ~mask;
    if (free == 0) return std::nullopt;  // every bit of the mask fixed to the excluded value
    for (uint32_t rest = free; rest != 0; rest &= rest - 1) {
      const uint32_t bit = rest & (~rest + 1);
      if (auto found = Solve(c, mask | bit, bits | (~excluded.value & bit), i + 1)) return found;
    }
    return std::nullopt;
  }
  return SmallestAllowed(c, mask, bits);
}

std::string Hex(uint32_t value) { return value < 4096 ? std::to_string(value) : fmt::format("{:#x}", value); }

}  // namespace

std::optional<uint32_t> NextMatching(uint64_t x, uint32_t mask, uint32_t bits) {
  if (x > UINT32_MAX) return std::nullopt;
  const uint32_t v = static_cast<uint32_t>(x);
  if ((v & mask) == bits) return v;
  int free_zero = -1;  // lowest free bit seen so far (scanning down) that is 0 in v
  for (int i = 31; i >= 0; --i) {
    const uint32_t bit = uint32_t{1} << i;
    const uint32_t above = ~LowMask(i + 1);
    if ((mask & bit) == 0) {
      if ((v & bit) == 0) free_zero = i;
      continue;
    }
    if ((v & bit) == (bits & bit)) continue;
    if ((bits & bit) != 0) return (v & above) | bit | (bits & LowMask(i));  // raise this fixed bit
    if (free_zero < 0) return std::nullopt;
    const uint32_t raised = uint32_t{1} << free_zero;
    return (v & ~LowMask(free_zero + 1)) | raised | (bits & LowMask(free_zero));
  }
  return v;  // unreachable: some bit differed
}

bool WordConstraint::IsFull() const {
  return min == 0 && max == UINT32_MAX && fixed_mask == 0 && excluded.empty() && excluded_masked.empty();
}

bool WordConstraint::Admits(uint32_t value) const {
  if (value < min || value > max || (value & fixed_mask) != fixed_bits) return false;
  if (std::binary_search(excluded.begin(), excluded.end(), value)) return false;
  for (const MaskedValue& m : excluded_masked) {
    if ((value & m.mask) == m.value) return false;
  }
  return true;
}

std::optional<uint32_t> WordConstraint::Witness() const {
  if (min > max) return std::nullopt;
  return Solve(*this, fixed_mask, fixed_bits, 0);
}

bool WordConstraint::Add(uint32_t mask, WordTest test, uint32_t k, bool holds) {
  auto fix = [this](uint32_t m, uint32_t v) {
    if ((fixed_mask & m & (fixed_bits ^ v)) != 0) {
      SetEmpty();  // contradiction
      return;
    }
    fixed_mask |= m;
    fixed_bits |= v;
  };
  auto exclude_masked = [this](uint32_t m, uint32_t v) {
    if (m == UINT32_MAX) {
      if (v < min || v > max) return;  // already outside
      auto at = std::lower_bound(excluded.begin(), excluded.end(), v);
      if (at == excluded.end() || *at != v) excluded.insert(at, v);
    } else if (std::find(excluded_masked.begin(), excluded_masked.end(), MaskedValue{m, v}) == excluded_masked.end()) {
      excluded_masked.push_back({m, v});
    }
  };
  if (test == WordTest::kSet) {
    const uint32_t bits = mask & k;
    if (holds) {
      if (bits == 0) {
        SetEmpty();
      } else {
        exclude_masked(bits, 0);
      }
    } else {
      fix(bits, 0);
    }
    return true;
  }
  if (test == WordTest::kEq) {
    if ((k & ~mask) != 0) {  // (w & mask) can never equal k
      if (holds) SetEmpty();
      return true;
    }
    if (mask == UINT32_MAX) {
      if (holds) {
        min = std::max(min, k), max = std::min(max, k);
      } else {
        exclude_masked(mask, k);
      }
    } else if (holds) {
      fix(mask, k);
    } else {
      exclude_masked(mask, k);
    }
    return true;
  }
  if (mask != UINT32_MAX) return false;
  const bool greater_equal = test == WordTest::kGe;
  if (holds) {  // w > k, or w >= k
    if (!greater_equal && k == UINT32_MAX) {
      SetEmpty();
    } else {
      min = std::max(min, greater_equal ? k : k + 1);
    }
  } else {  // w <= k, or w < k
    if (greater_equal && k == 0) {
      SetEmpty();
    } else {
      max = std::min(max, greater_equal ? k - 1 : k);
    }
  }
  return true;
}

void WordConstraint::Intersect(const WordConstraint& other) {
  min = std::max(min, other.min);
  max = std::min(max, other.max);
  if ((fixed_mask & other.fixed_mask & (fixed_bits ^ other.fixed_bits)) != 0) SetEmpty();
  fixed_mask |= other.fixed_mask;
  fixed_bits |= other.fixed_bits;
  for (uint32_t v : other.excluded) Add(UINT32_MAX, WordTest::kEq, v, false);
  for (const MaskedValue& m : other.excluded_masked) Add(m.mask, WordTest::kEq, m.value, false);
}

std::string WordConstraint::ToString() const {
  std::vector<std::string> parts;
  if (min == max) {
    parts.push_back("== " + Hex(min));
  } else {
    if (min != 0) parts.push_back(">= " + Hex(min));
    if (max != UINT32_MAX) parts.push_back("<= " + Hex(max));
  }
  if (fixed_mask != 0) parts.push_back(fmt::format("& {} == {}", Hex(fixed_mask), Hex(fixed_bits)));
  for (uint32_t v : excluded) parts.push_back("!= " + Hex(v));
  for (const MaskedValue& m : excluded_masked) parts.push_back(fmt::format("& {} != {}", Hex(m.mask), Hex(m.value)));
  return parts.empty() ? "any" : fmt::format("{}", fmt::join(parts, ", "));
}

uint32_t WordOf(const bpf::SeccompData& data, uint32_t index) {
  uint32_t value;
  std::memcpy(&value, reinterpret_cast<const unsigned char*>(&data) + 4 * index, sizeof(value));
  return value;
}

bool Region::Satisfiable() const {
  return std::all_of(words.begin(), words.end(), [](const WordConstraint& w) { return w.Witness().has_value(); });
}

std::optional<bpf::SeccompData> Region::Witness() const {
  bpf::SeccompData data;
  for (uint32_t i = 0; i < kWordCount; ++i) {
    std::optional<uint32_t> value = words[i].Witness();
    if (!value) return std::nullopt;
    std::memcpy(reinterpret_cast<unsigned char*>(&data) + 4 * i, &*value, sizeof(*value));
  }
  return data;
}

bool Region::Admits(const bpf::SeccompData& data) const {
  for (uint32_t i = 0; i < kWordCount; ++i) {
    if (!words[i].Admits(WordOf(data, i))) return false;
  }
  return true;
}

}  // namespace sysfence::inspect
