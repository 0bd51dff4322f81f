// SPDX-License-Identifier: Apache-2.0
// The abstract value of a register during constant propagation: a small set of constants, maybe
// together with "whatever register R held when the function was entered", or unknown.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

namespace sysfence::analyze {

/// Register indexes tracked (the 16 general-purpose registers, in x86 encoding order).
enum Gpr : int8_t {
  kRax, kRcx, kRdx, kRbx, kRsp, kRbp, kRsi, kRdi, kR8, kR9, kR10, kR11, kR12, kR13, kR14, kR15,
  kGprCount
};

/// A register's possible values at one point of a function.
struct Value {
  /// Past this many constants a value becomes unknown (a syscall number is one of a few values).
  static constexpr int kMaxConstants = 8;

  std::array<uint64_t, kMaxConstants> constants{};
  uint8_t count = 0;     ///< constants in use, sorted ascending
  int8_t entry = -1;     ///< also: the value register `entry` held at function entry (-1: no)
  bool unknown = false;  ///< anything at all

  /// No information yet (the bottom of the lattice: an unreached point).
  bool IsBottom() const { return !unknown && count == 0 && entry < 0; }

  static Value Unknown() {
    Value v;
    v.unknown = true;
    return v;
  }
  static Value Constant(uint64_t c) {
    Value v;
    v.constants[0] = c;
    v.count = 1;
    return v;
  }
  static Value Entry(int reg) {
    Value v;
    v.entry = static_cast<int8_t>(reg);
    return v;
  }

  /// Adds constant `c`; too many makes the value unknown.
  void AddConstant(uint64_t c) {
    if (unknown) return;
    auto end = constants.begin() + count;
    auto it = std::lower_bound(constants.begin(), end, c);
    if (it != end && *it == c) return;
    if (count == kMaxConstants) {
      *this = Unknown();
      return;
    }
    std::copy_backward(it, end, end + 1);
    *it = c;
    ++count;
  }

  /// The least upper bound of this and `other`, stored in this; true when this changed.
  bool Join(const Value& other) {
    if (unknown || other.IsBottom()) return false;
    if (other.unknown) {
      *this = Unknown();
      return true;
    }
    const Value before = *this;
    if (other.entry >= 0) {
      if (entry >= 0 && entry != other.entry) {
        *this = Unknown();
        return true;
      }
      entry = other.entry;
    }
    for (int i = 0; i < other.count && !unknown; ++i) AddConstant(other.constants[i]);
    return !(before == *this);
  }

  /// Applies `op` to every constant; an entry-register part becomes unknown.
  template <typename Op>
  Value Map(Op op) const {
    if (unknown || entry >= 0) return Unknown();
    Value out;
    for (int i = 0; i < count; ++i) out.AddConstant(op(constants[i]));
    return out;
  }

  friend bool operator==(const Value&, const Value&) = default;
};

/// The state of all tracked registers.
using RegisterState = std::array<Value, kGprCount>;

}  // namespace sysfence::analyze
