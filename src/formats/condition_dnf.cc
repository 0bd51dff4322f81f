// SPDX-License-Identifier: Apache-2.0
#include "formats/condition_dnf.h"

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;
using policy::Condition;

constexpr uint64_t kAll64 = ~uint64_t{0};

uint64_t MaxOf(int bits) { return policy::WidthMask(bits); }

Comparison Masked(int arg, uint64_t mask, uint64_t value) {
  return Comparison{arg, CompareOp::kMaskedEq, value & mask, mask};
}

// A literal after width normalization: constant, or a comparison.
struct Normalized {
  std::optional<bool> constant;
  Comparison compare;
};

Normalized Normalize(Comparison c, int bits) {
  const uint64_t max = MaxOf(bits);
  c.value = policy::EffectiveValue(c.value, bits);
  if (c.op == CompareOp::kMaskedEq) {
    c.mask &= max;
    if ((c.value & ~c.mask) != 0) return {false, c};  // bits outside the mask can never be equal
    if (c.mask == 0) return {true, c};
    return {std::nullopt, c};
  }
  if (c.value > max) {
    switch (c.op) {
      case CompareOp::kEq:
      case CompareOp::kGt:
      case CompareOp::kGe: return {false, c};
      default: return {true, c};
    }
  }
  if ((c.op == CompareOp::kLt && c.value == 0) || (c.op == CompareOp::kGt && c.value == max)) return {false, c};
  if ((c.op == CompareOp::kGe && c.value == 0) || (c.op == CompareOp::kLe && c.value == max)) return {true, c};
  return {std::nullopt, c};
}

using Interval = std::pair<uint64_t, uint64_t>;  // inclusive
using IntervalSet = std::vector<Interval>;        // sorted, disjoint

IntervalSet LiteralSet(const Comparison& c, uint64_t max) {
  const uint64_t v = c.value;
  switch (c.op) {
    case CompareOp::kEq: return {{v, v}};
    case CompareOp::kNe: {
      IntervalSet out;
      if (v > 0) out.push_back({0, v - 1});
      if (v < max) out.push_back({v + 1, max});
      return out;
    }
    case CompareOp::kLt: return v == 0 ? IntervalSet{} : IntervalSet{{0, v - 1}};
    case CompareOp::kLe: return {{0, v}};
    case CompareOp::kGt: return v == max ? IntervalSet{} : IntervalSet{{v + 1, max}};
    case CompareOp::kGe: return {{v, max}};
    case CompareOp::kMaskedEq: break;
  }
  return {{0, max}};
}

IntervalSet Intersect(const IntervalSet& a, const IntervalSet& b) {
  IntervalSet out;
  for (const Interval& x : a) {
    for (const Interval& y : b) {
      const uint64_t lo = std::max(x.first, y.first);
      const uint64_t hi = std::min(x.second, y.second);
      if (lo <= hi) out.push_back({lo, hi});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Aligned power-of-two blocks covering [lo, hi] exactly, as masked comparisons within `max`.
void AppendBlocks(int arg, uint64_t lo, uint64_t hi, uint64_t max, std::vector<Comparison>& out) {
  while (true) {
    // The largest block 2^k that starts at lo (aligned) and ends within hi.
    int k = 0;
    while (k < 63) {
      const uint64_t next = uint64_t{1} << (k + 1);
      if ((lo & (next - 1)) != 0 || hi - lo < next - 1) break;
      ++k;
    }
    const uint64_t size = uint64_t{1} << k;
    out.push_back(Masked(arg, max & ~(size - 1), lo));
    if (hi - lo == size - 1) return;
    lo += size;
  }
}

// The alternatives for one argument, each a single comparison; nullopt means "any value".
struct ArgAlternatives {
  bool any = false;
  std::vector<Comparison> options;  // empty and !any: impossible
};

// `native`: 32-bit arguments may use the plain operators. `masked_only`: every alternative must be a
// masked comparison (to be intersected with one).
ArgAlternatives FromIntervals(int arg, const IntervalSet& set, int bits, bool native, bool masked_only = false) {
  const uint64_t max = MaxOf(bits);
  ArgAlternatives out;
  if (set.empty()) return out;
  if (set.size() == 1 && set[0].first == 0 && set[0].second == max) {
    out.any = true;
    return out;
  }
  // The native operators are exact for 64-bit arguments, and for 32-bit ones on 32-bit ABIs (never
  // for 16-bit ones: the register's bits above them are there on every ABI).
  const bool plain = (bits == 64 || (native && bits == 32)) && !masked_only;
  if (set.size() == 1) {
    const auto [lo, hi] = set[0];
    if (lo == hi) {
      out.options.push_back(plain ? Comparison{arg, CompareOp::kEq, lo, kAll64} : Masked(arg, max, lo));
      return out;
    }
    if (masked_only) {
      AppendBlocks(arg, lo, hi, max, out.options);
      return out;
    }
    if (plain && lo == 0) {
      out.options.push_back(Comparison{arg, CompareOp::kLe, hi, kAll64});
      return out;
    }
    if (plain && hi == max) {
      out.options.push_back(Comparison{arg, CompareOp::kGe, lo, kAll64});
      return out;
    }
  }
  if (set.size() == 2 && set[0].first == 0 && set[1].second == max && set[0].second + 2 == set[1].first) {
    const uint64_t point = set[0].second + 1;
    if (plain) {
      out.options.push_back(Comparison{arg, CompareOp::kNe, point, kAll64});
    } else {
      // x != p on the low half: some bit of the low half differs from p's.
      for (int b = 0; b < bits; ++b) {
        const uint64_t bit = uint64_t{1} << b;
        out.options.push_back(Masked(arg, bit, ~point & bit));
      }
    }
    return out;
  }
  for (const Interval& interval : set) AppendBlocks(arg, interval.first, interval.second, max, out.options);
  return out;
}

// Solves the comparisons of one argument into alternatives.
ArgAlternatives SolveArg(int arg, const std::vector<Comparison>& comparisons, int bits, bool native) {
  const uint64_t max = MaxOf(bits);
  IntervalSet set{{0, max}};
  bool has_interval = false;
  std::optional<Comparison> atom;
  for (const Comparison& raw : comparisons) {
    Normalized n = Normalize(raw, bits);
    if (n.constant) {
      if (!*n.constant) return {};
      continue;
    }
    if (n.compare.op == CompareOp::kMaskedEq) {
      if (!atom) {
        atom = n.compare;
      } else {
        if ((atom->value & n.compare.mask) != (n.compare.value & atom->mask)) return {};
        atom = Masked(arg, atom->mask | n.compare.mask, atom->value | n.compare.value);
      }
    } else {
      has_interval = true;
      set = Intersect(set, LiteralSet(n.compare, max));
      if (set.empty()) return {};
    }
  }
  if (!atom) {
    if (!has_interval) return ArgAlternatives{true, {}};
    return FromIntervals(arg, set, bits, native);
  }
  if (!has_interval) return ArgAlternatives{false, {*atom}};
  // Both: the interval set as blocks, each intersected with the atom.
  ArgAlternatives blocks = FromIntervals(arg, set, bits, native, /*masked_only=*/true);
  ArgAlternatives out;
  if (blocks.any) return ArgAlternatives{false, {*atom}};
  for (const Comparison& block : blocks.options) {
    Comparison b = block;
    if ((atom->value & b.mask) != (b.value & atom->mask)) continue;
    out.options.push_back(Masked(arg, atom->mask | b.mask, atom->value | b.value));
  }
  return out;
}

// Normalizes one cube into an exact Dnf (several cubes when an argument needs alternatives).
Result<Dnf> NormalizeCube(const Cube& cube, const ArgWidths& widths) {
  std::array<std::vector<Comparison>, 6> per_arg;
  for (const Comparison& c : cube) per_arg[static_cast<size_t>(c.arg)].push_back(c);
  Dnf result{Cube{}};
  for (int arg = 0; arg < 6; ++arg) {
    if (per_arg[arg].empty()) continue;
    ArgAlternatives alternatives = SolveArg(arg, per_arg[arg], widths.bits[arg], widths.native_32);
    if (alternatives.any) continue;
    if (alternatives.options.empty()) return Dnf{};
    Dnf next;
    for (const Cube& partial : result) {
      for (const Comparison& option : alternatives.options) {
        Cube extended = partial;
        extended.push_back(option);
        next.push_back(std::move(extended));
        if (next.size() > kMaxCubes) {
          return MakeError(ErrorCode::kLimit, "the condition expands to more than " + std::to_string(kMaxCubes) +
                                                  " rules of ANDed comparisons");
        }
      }
    }
    result = std::move(next);
  }
  return result;
}

// A cube that is implied by an empty cube makes everything else redundant.
void Simplify(Dnf& dnf) {
  if (std::any_of(dnf.begin(), dnf.end(), [](const Cube& c) { return c.empty(); })) {
    dnf = Dnf{Cube{}};
    return;
  }
  std::sort(dnf.begin(), dnf.end(), [](const Cube& a, const Cube& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](const Comparison& x, const Comparison& y) {
      return std::tie(x.arg, x.op, x.value, x.mask) < std::tie(y.arg, y.op, y.value, y.mask);
    });
  });
  dnf.erase(std::unique(dnf.begin(), dnf.end()), dnf.end());
}

Result<Dnf> Or(Dnf a, const Dnf& b) {
  a.insert(a.end(), b.begin(), b.end());
  if (a.size() > kMaxCubes) {
    return MakeError(ErrorCode::kLimit,
                     "the condition expands to more than " + std::to_string(kMaxCubes) + " rules of ANDed comparisons");
  }
  Simplify(a);
  return a;
}

Comparison Negated(const Comparison& c) {
  Comparison n = c;
  switch (c.op) {
    case CompareOp::kEq: n.op = CompareOp::kNe; break;
    case CompareOp::kNe: n.op = CompareOp::kEq; break;
    case CompareOp::kLt: n.op = CompareOp::kGe; break;
    case CompareOp::kGe: n.op = CompareOp::kLt; break;
    case CompareOp::kLe: n.op = CompareOp::kGt; break;
    case CompareOp::kGt: n.op = CompareOp::kLe; break;
    case CompareOp::kMaskedEq: break;
  }
  return n;
}

Result<Dnf> LiteralDnf(const Comparison& c, bool negate, const ArgWidths& widths) {
  const int bits = widths.bits[static_cast<size_t>(c.arg)];
  Normalized n = Normalize(c, bits);
  if (n.constant) return *n.constant != negate ? Dnf{Cube{}} : Dnf{};
  if (!negate) return NormalizeCube(Cube{n.compare}, widths);
  if (n.compare.op != CompareOp::kMaskedEq) return NormalizeCube(Cube{Negated(n.compare)}, widths);
  // (x & m) != v: some bit of m differs from v's.
  Dnf out;
  for (int b = 0; b < 64; ++b) {
    const uint64_t bit = uint64_t{1} << b;
    if ((n.compare.mask & bit) == 0) continue;
    out.push_back(Cube{Masked(c.arg, bit, ~n.compare.value & bit)});
  }
  return out;
}

}  // namespace

Result<Dnf> AndDnf(const Dnf& a, const Dnf& b, const ArgWidths& widths) {
  Dnf out;
  for (const Cube& x : a) {
    for (const Cube& y : b) {
      Cube both = x;
      both.insert(both.end(), y.begin(), y.end());
      auto normalized = NormalizeCube(both, widths);
      if (!normalized.ok()) return normalized.error();
      out.insert(out.end(), normalized->begin(), normalized->end());
      if (out.size() > kMaxCubes) {
        return MakeError(ErrorCode::kLimit, "the condition expands to more than " + std::to_string(kMaxCubes) +
                                                " rules of ANDed comparisons");
      }
    }
  }
  Simplify(out);
  return out;
}

Result<Dnf> NotDnf(const Dnf& a, const ArgWidths& widths) {
  // not (c1 or c2 ...) = (not c1) and (not c2) ...; not (l1 and l2 ...) = (not l1) or (not l2) ...
  Dnf result{Cube{}};
  for (const Cube& cube : a) {
    Dnf negated_cube;
    for (const Comparison& literal : cube) {
      auto negated = LiteralDnf(literal, true, widths);
      if (!negated.ok()) return negated.error();
      auto merged = Or(std::move(negated_cube), *negated);
      if (!merged.ok()) return merged.error();
      negated_cube = std::move(*merged);
    }
    auto next = AndDnf(result, negated_cube, widths);
    if (!next.ok()) return next.error();
    result = std::move(*next);
    if (result.empty()) break;
  }
  return result;
}

Result<Dnf> ToDnf(const Condition& condition, bool negate, const ArgWidths& widths) {
  switch (condition.kind) {
    case Condition::Kind::kCompare: return LiteralDnf(condition.compare, negate, widths);
    case Condition::Kind::kNot: {
      if (condition.children.empty()) return MakeError(ErrorCode::kInvalidInput, "'!' without an operand");
      return ToDnf(condition.children[0], !negate, widths);
    }
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      // De Morgan: a negated AND is an OR of negations and vice versa.
      const bool conjunction = (condition.kind == Condition::Kind::kAnd) != negate;
      Dnf result = conjunction ? Dnf{Cube{}} : Dnf{};
      for (const Condition& child : condition.children) {
        auto part = ToDnf(child, negate, widths);
        if (!part.ok()) return part.error();
        auto next = conjunction ? AndDnf(result, *part, widths) : Or(std::move(result), *part);
        if (!next.ok()) return next.error();
        result = std::move(*next);
      }
      return result;
    }
  }
  return Dnf{};
}

bool CubeHolds(const Cube& cube, const uint64_t (&args)[6], const ArgWidths& widths) {
  return std::all_of(cube.begin(), cube.end(), [&](const Comparison& c) {
    return policy::ComparisonHolds(c, args[c.arg], widths.bits[static_cast<size_t>(c.arg)]);
  });
}

}  // namespace sysfence::formats
