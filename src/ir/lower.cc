// SPDX-License-Identifier: Apache-2.0
#include "ir/lower.h"

#include <bit>
#include <cassert>
#include <cstdint>
#include <string>

namespace sysfence::ir {
namespace {

using policy::CompareOp;

constexpr uint32_t kAllOnes = 0xffffffffu;
constexpr int kMaxDepth = 200;

WordTest Word(int arg, Half half, WordOp op, uint32_t k, uint32_t mask = kAllOnes) {
  WordTest t;
  t.arg = static_cast<uint8_t>(arg);
  t.half = half;
  t.op = op;
  t.k = k;
  t.mask = mask;
  return t;
}

// (word & mask) == value on one half, with the cheapest test that decides it.
NodeId MaskedEqualHalf(NodeBuilder& b, int arg, Half half, uint32_t mask, uint32_t value, NodeId if_true,
                       NodeId if_false) {
  if ((value & ~mask) != 0) return if_false;
  if (mask == 0) return if_true;
  if (mask == kAllOnes) return b.Test(Word(arg, half, WordOp::kEq, value), if_true, if_false);
  if (value == 0) return b.Test(Word(arg, half, WordOp::kSet, mask), if_false, if_true);
  if (std::has_single_bit(mask)) return b.Test(Word(arg, half, WordOp::kSet, mask), if_true, if_false);
  return b.Test(Word(arg, half, WordOp::kEq, value, mask), if_true, if_false);
}

// word > k (strict = true) or word >= k on a 64-bit argument split into halves.
NodeId Greater64(NodeBuilder& b, int arg, uint64_t value, bool strict, NodeId if_true, NodeId if_false) {
  const auto hi = static_cast<uint32_t>(value >> 32);
  const auto lo = static_cast<uint32_t>(value);
  const NodeId low_decides = b.Test(Word(arg, Half::kLow, strict ? WordOp::kGt : WordOp::kGe, lo), if_true, if_false);
  // When equal high words already decide (`>= x:0` holds, `> x:ffffffff` fails), one test does.
  if (low_decides == if_true) return b.Test(Word(arg, Half::kHigh, WordOp::kGe, hi), if_true, if_false);
  if (low_decides == if_false) return b.Test(Word(arg, Half::kHigh, WordOp::kGt, hi), if_true, if_false);
  if (hi == kAllOnes) {
    // The high word cannot exceed hi: it either equals it (low word decides) or is smaller.
    return b.Test(Word(arg, Half::kHigh, WordOp::kEq, hi), low_decides, if_false);
  }
  if (hi == 0) {
    // Not above 0 means equal to 0.
    return b.Test(Word(arg, Half::kHigh, WordOp::kGt, 0), if_true, low_decides);
  }
  const NodeId equal_high = b.Test(Word(arg, Half::kHigh, WordOp::kEq, hi), low_decides, if_false);
  return b.Test(Word(arg, Half::kHigh, WordOp::kGt, hi), if_true, equal_high);
}

NodeId Compare64(NodeBuilder& b, const policy::Comparison& c, NodeId t, NodeId f) {
  const uint64_t v = c.value;
  switch (c.op) {
    case CompareOp::kEq:
    case CompareOp::kNe: {
      if (c.op == CompareOp::kNe) std::swap(t, f);
      const NodeId low = b.Test(Word(c.arg, Half::kLow, WordOp::kEq, static_cast<uint32_t>(v)), t, f);
      return b.Test(Word(c.arg, Half::kHigh, WordOp::kEq, static_cast<uint32_t>(v >> 32)), low, f);
    }
    case CompareOp::kGt: return Greater64(b, c.arg, v, true, t, f);
    case CompareOp::kGe: return Greater64(b, c.arg, v, false, t, f);
    case CompareOp::kLe: return Greater64(b, c.arg, v, true, f, t);   // a <= v  <=>  !(a > v)
    case CompareOp::kLt: return Greater64(b, c.arg, v, false, f, t);  // a < v   <=>  !(a >= v)
    case CompareOp::kMaskedEq: {
      if ((v & ~c.mask) != 0) return f;
      const NodeId low = MaskedEqualHalf(b, c.arg, Half::kLow, static_cast<uint32_t>(c.mask),
                                         static_cast<uint32_t>(v), t, f);
      return MaskedEqualHalf(b, c.arg, Half::kHigh, static_cast<uint32_t>(c.mask >> 32),
                             static_cast<uint32_t>(v >> 32), low, f);
    }
  }
  assert(false && "unknown comparison operator");
  return f;
}

// An argument of `width_bits` <= 32: the low `width_bits` bits of the low word. For 16 bits every
// test masks the word first (BPF: AND 0xffff, then the jump).
NodeId CompareNarrow(NodeBuilder& b, const policy::Comparison& c, int width_bits, NodeId t, NodeId f) {
  // The argument is an unsigned number 0..2^width-1; the constant is 64 bits wide (sign-extended
  // negatives already narrowed), so constants above the argument's range fold.
  const auto word_mask = static_cast<uint32_t>(policy::WidthMask(width_bits));
  const uint64_t v = policy::EffectiveValue(c.value, width_bits);
  const bool fits = v <= word_mask;
  const auto k = static_cast<uint32_t>(v);
  switch (c.op) {
    case CompareOp::kEq: return fits ? b.Test(Word(c.arg, Half::kLow, WordOp::kEq, k, word_mask), t, f) : f;
    case CompareOp::kNe: return fits ? b.Test(Word(c.arg, Half::kLow, WordOp::kEq, k, word_mask), f, t) : t;
    case CompareOp::kGt: return fits ? b.Test(Word(c.arg, Half::kLow, WordOp::kGt, k, word_mask), t, f) : f;
    case CompareOp::kGe: return fits ? b.Test(Word(c.arg, Half::kLow, WordOp::kGe, k, word_mask), t, f) : f;
    case CompareOp::kLt: return fits ? b.Test(Word(c.arg, Half::kLow, WordOp::kGe, k, word_mask), f, t) : t;
    case CompareOp::kLe: return fits ? b.Test(Word(c.arg, Half::kLow, WordOp::kGt, k, word_mask), f, t) : t;
    case CompareOp::kMaskedEq:
      return fits ? MaskedEqualHalf(b, c.arg, Half::kLow, static_cast<uint32_t>(c.mask) & word_mask, k, t, f) : f;
  }
  assert(false && "unknown comparison operator");
  return f;
}

Result<void> Validate(const policy::Condition& condition, int depth) {
  using Kind = policy::Condition::Kind;
  if (depth > kMaxDepth) {
    return MakeError(ErrorCode::kLimit, "condition nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  switch (condition.kind) {
    case Kind::kCompare:
      if (!condition.compare.arg_name.empty()) return Ok();  // resolved per ABI (ResolveArgumentsOn)
      if (condition.compare.arg < 0 || condition.compare.arg > 5) {
        return MakeError(ErrorCode::kInvalidInput,
                         "argument index " + std::to_string(condition.compare.arg) + " is out of range 0..5");
      }
      return Ok();
    case Kind::kAnd:
    case Kind::kOr:
      if (condition.children.size() < 2) {
        return MakeError(ErrorCode::kInvalidInput, "'&&' and '||' need two or more operands");
      }
      break;
    case Kind::kNot:
      if (condition.children.size() != 1) return MakeError(ErrorCode::kInvalidInput, "'!' needs exactly one operand");
      break;
  }
  for (const policy::Condition& child : condition.children) {
    if (auto r = Validate(child, depth + 1); !r) return r;
  }
  return Ok();
}

}  // namespace

NodeId LowerComparison(NodeBuilder& builder, const policy::Comparison& compare, int width_bits, NodeId if_true,
                       NodeId if_false) {
  assert(compare.arg >= 0 && compare.arg <= 5);
  return width_bits < 64 ? CompareNarrow(builder, compare, width_bits, if_true, if_false)
                         : Compare64(builder, compare, if_true, if_false);
}

NodeId LowerCondition(NodeBuilder& builder, const policy::Condition& condition, const ArgWidths& widths,
                      NodeId if_true, NodeId if_false) {
  using Kind = policy::Condition::Kind;
  switch (condition.kind) {
    case Kind::kCompare:
      return LowerComparison(builder, condition.compare, widths[static_cast<size_t>(condition.compare.arg)],
                             if_true, if_false);
    case Kind::kNot:
      assert(condition.children.size() == 1);
      return LowerCondition(builder, condition.children[0], widths, if_false, if_true);
    case Kind::kAnd: {
      // Built from the last operand back: each operand continues at the rest when it holds.
      NodeId next = if_true;
      for (auto it = condition.children.rbegin(); it != condition.children.rend(); ++it) {
        next = LowerCondition(builder, *it, widths, next, if_false);
      }
      return next;
    }
    case Kind::kOr: {
      NodeId next = if_false;
      for (auto it = condition.children.rbegin(); it != condition.children.rend(); ++it) {
        next = LowerCondition(builder, *it, widths, if_true, next);
      }
      return next;
    }
  }
  assert(false && "unknown condition kind");
  return if_false;
}

Result<void> ValidateCondition(const policy::Condition& condition) { return Validate(condition, 0); }

}  // namespace sysfence::ir
