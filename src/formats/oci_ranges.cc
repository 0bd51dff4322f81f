// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_ranges.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;
using policy::Condition;

constexpr uint64_t kWordMax = 0xffffffffu;

// An inclusive interval of low-word values.
struct Interval {
  uint64_t low = 0;
  uint64_t high = 0;
};

// The comparisons of a condition that is one comparison or an AND of comparisons.
std::optional<std::vector<Comparison>> Conjuncts(const std::optional<Condition>& condition) {
  if (!condition) return std::nullopt;
  if (condition->kind == Condition::Kind::kCompare) return std::vector<Comparison>{condition->compare};
  if (condition->kind != Condition::Kind::kAnd) return std::nullopt;
  std::vector<Comparison> out;
  for (const Condition& child : condition->children) {
    if (child.kind != Condition::Kind::kCompare) return std::nullopt;
    out.push_back(child.compare);
  }
  return out;
}

// The low-word values `c` accepts, when they form one non-empty interval.
std::optional<Interval> AsInterval(const Comparison& c) {
  if (!c.arg_name.empty()) return std::nullopt;
  if (c.op == CompareOp::kMaskedEq) {
    if (c.mask > kWordMax) return std::nullopt;
    const uint64_t free_bits = ~c.mask & kWordMax;
    if ((free_bits & (free_bits + 1)) != 0) return std::nullopt;  // the mask is not ones, then zeros
    if ((c.value & ~c.mask) != 0) return std::nullopt;
    return Interval{c.value, c.value | free_bits};
  }
  if (c.value > kWordMax) return std::nullopt;
  switch (c.op) {
    case CompareOp::kEq: return Interval{c.value, c.value};
    case CompareOp::kLt:
      if (c.value == 0) return std::nullopt;
      return Interval{0, c.value - 1};
    case CompareOp::kLe: return Interval{0, c.value};
    case CompareOp::kGt:
      if (c.value == kWordMax) return std::nullopt;
      return Interval{c.value + 1, kWordMax};
    case CompareOp::kGe: return Interval{c.value, kWordMax};
    default: return std::nullopt;
  }
}

// Whether argument `index` is exactly 32 bits wide for every target of `rule` on every ABI that has it.
bool ThirtyTwoBitsEverywhere(const policy::Rule& rule, int index, const std::vector<Arch>& arches) {
  for (const std::string& name : policy::ExpandTargets(rule)) {
    for (Arch arch : arches) {
      if (!syscalls::NumberOf(arch, name)) continue;
      if (syscalls::ArgWidthBits(arch, name, index) != 32) return false;
    }
  }
  return true;
}

bool SameHead(const policy::Rule& a, const policy::Rule& b) {
  return a.targets == b.targets && a.action == b.action && a.comment == b.comment && a.only_arches == b.only_arches;
}

// Splits `conjuncts` into the one interval on `index` and the rest; nullopt unless exactly one
// comparison is on `index` and it is an interval.
std::optional<std::pair<Interval, std::vector<Comparison>>> Split(const std::vector<Comparison>& conjuncts, int index) {
  std::optional<Interval> interval;
  std::vector<Comparison> rest;
  for (const Comparison& c : conjuncts) {
    if (c.arg != index || !c.arg_name.empty()) {
      rest.push_back(c);
      continue;
    }
    if (interval) return std::nullopt;
    interval = AsInterval(c);
    if (!interval) return std::nullopt;
  }
  if (!interval) return std::nullopt;
  return std::make_pair(*interval, std::move(rest));
}

Comparison Compare(int index, CompareOp op, uint64_t value) {
  Comparison c;
  c.arg = index;
  c.op = op;
  c.value = value;
  return c;
}

// The comparisons (ANDed) that accept exactly `interval` on argument `index`.
std::vector<Comparison> IntervalComparisons(int index, const Interval& interval) {
  if (interval.low == interval.high) return {Compare(index, CompareOp::kEq, interval.low)};
  if (interval.low == 0 && interval.high == kWordMax) return {};
  if (interval.low == 0) return {Compare(index, CompareOp::kLt, interval.high + 1)};
  if (interval.high == kWordMax) return {Compare(index, CompareOp::kGt, interval.low - 1)};
  return {Compare(index, CompareOp::kGe, interval.low), Compare(index, CompareOp::kLe, interval.high)};
}

std::optional<Condition> ConditionOf(const std::vector<Comparison>& comparisons) {
  if (comparisons.empty()) return std::nullopt;
  if (comparisons.size() == 1) return Condition{Condition::Kind::kCompare, comparisons[0], {}};
  Condition all{Condition::Kind::kAnd, {}, {}};
  for (const Comparison& c : comparisons) all.children.push_back(Condition{Condition::Kind::kCompare, c, {}});
  return all;
}

// The rules that replace `run` when its conditions differ only by an interval on `index`.
std::optional<std::vector<policy::Rule>> Join(const std::vector<policy::Rule>& run, int index) {
  std::vector<Interval> intervals;
  std::optional<std::vector<Comparison>> shared_rest;
  for (const policy::Rule& rule : run) {
    auto conjuncts = Conjuncts(rule.condition);
    if (!conjuncts) return std::nullopt;
    auto split = Split(*conjuncts, index);
    if (!split) return std::nullopt;
    if (shared_rest && !(*shared_rest == split->second)) return std::nullopt;
    shared_rest = std::move(split->second);
    intervals.push_back(split->first);
  }
  std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) { return a.low < b.low; });
  std::vector<Interval> joined;
  for (const Interval& interval : intervals) {
    if (!joined.empty() && interval.low <= joined.back().high + 1) {
      joined.back().high = std::max(joined.back().high, interval.high);
    } else {
      joined.push_back(interval);
    }
  }
  std::vector<std::vector<Comparison>> pieces;
  const bool misses_one = joined.size() == 2 && joined[0].low == 0 && joined[1].high == kWordMax &&
                          joined[1].low == joined[0].high + 2;
  if (misses_one) {
    pieces.push_back({Compare(index, CompareOp::kNe, joined[0].high + 1)});
  } else {
    for (const Interval& interval : joined) {
      // Two values cost two equalities or two bounds alike; equalities keep `x in {1, 2}` as written.
      if (interval.high == interval.low + 1) {
        pieces.push_back({Compare(index, CompareOp::kEq, interval.low)});
        pieces.push_back({Compare(index, CompareOp::kEq, interval.high)});
      } else {
        pieces.push_back(IntervalComparisons(index, interval));
      }
    }
  }
  std::vector<policy::Rule> out;
  for (const std::vector<Comparison>& piece : pieces) {
    policy::Rule rule = run.front();
    std::vector<Comparison> all = *shared_rest;
    all.insert(all.end(), piece.begin(), piece.end());
    std::stable_sort(all.begin(), all.end(), [](const Comparison& a, const Comparison& b) { return a.arg < b.arg; });
    rule.condition = ConditionOf(all);
    out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

void RejoinLowWordRanges(std::vector<policy::Rule>& rules, size_t first, const std::vector<Arch>& arches) {
  std::vector<policy::Rule> out(std::make_move_iterator(rules.begin()),
                                std::make_move_iterator(rules.begin() + static_cast<ptrdiff_t>(first)));
  size_t i = first;
  while (i < rules.size()) {
    size_t end = i + 1;
    while (end < rules.size() && SameHead(rules[i], rules[end])) ++end;
    std::vector<policy::Rule> run(std::make_move_iterator(rules.begin() + static_cast<ptrdiff_t>(i)),
                                  std::make_move_iterator(rules.begin() + static_cast<ptrdiff_t>(end)));
    std::optional<std::vector<policy::Rule>> joined;
    for (int index = 0; index < 6 && !joined && run.size() > 1 && run.front().condition; ++index) {
      if (ThirtyTwoBitsEverywhere(run.front(), index, arches)) joined = Join(run, index);
    }
    if (joined && joined->size() < run.size()) run = std::move(*joined);
    for (policy::Rule& rule : run) out.push_back(std::move(rule));
    i = end;
  }
  rules = std::move(out);
}

}  // namespace sysfence::formats
