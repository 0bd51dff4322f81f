// SPDX-License-Identifier: Apache-2.0
#include "inspect/arg_conditions.h"

#include <algorithm>

#include <fmt/format.h>

#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {
namespace {

using policy::CompareOp;
using policy::Condition;

Condition Compare(int arg, CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
  Condition c;
  c.compare.arg = arg;
  c.compare.op = op;
  c.compare.value = value;
  c.compare.mask = mask;
  return c;
}

Condition Not(Condition inner) {
  Condition c;
  c.kind = Condition::Kind::kNot;
  c.children.push_back(std::move(inner));
  return c;
}

// `value` lies in [min, max]: the fewest comparisons saying so for an argument of `limit` max.
void AddInterval(int arg, uint64_t min, uint64_t max, uint64_t limit, std::vector<Condition>& out) {
  if (min == max) {
    out.push_back(Compare(arg, CompareOp::kEq, min));
    return;
  }
  if (min > 0) out.push_back(Compare(arg, CompareOp::kGe, min));
  if (max < limit) out.push_back(Compare(arg, CompareOp::kLe, max));
}

// The parts of `c` (one word, at bit `shift` of the argument) other than its interval.
// `high`: the argument's high word when it is known to be one value (UINT64_MAX: not known).
void AddBitParts(int arg, const WordConstraint& c, int shift, bool whole_word, uint64_t high,
                 std::vector<Condition>& out) {
  const uint64_t word_mask = uint64_t{UINT32_MAX} << shift;
  if (c.fixed_mask != 0 && c.min != c.max) {
    out.push_back(Compare(arg, CompareOp::kMaskedEq, uint64_t{c.fixed_bits} << shift, uint64_t{c.fixed_mask} << shift));
  }
  for (uint32_t v : c.excluded) {
    if (v < c.min || v > c.max) continue;
    if (whole_word) {
      out.push_back(Compare(arg, CompareOp::kNe, v));
    } else if (high != UINT64_MAX) {
      out.push_back(Compare(arg, CompareOp::kNe, (high << 32) | v));
    } else {
      out.push_back(Not(Compare(arg, CompareOp::kMaskedEq, uint64_t{v} << shift, word_mask)));
    }
  }
  for (const MaskedValue& m : c.excluded_masked) {
    out.push_back(Not(Compare(arg, CompareOp::kMaskedEq, uint64_t{m.value} << shift, uint64_t{m.mask} << shift)));
  }
}

// Comparisons for a 64-bit argument from its two words; false when not expressible.
bool AddWideArgument(int arg, const WordConstraint& lo, const WordConstraint& hi, std::vector<Condition>& out) {
  const bool lo_interval_full = lo.min == 0 && lo.max == UINT32_MAX;
  if (hi.min == hi.max) {
    const uint64_t base = uint64_t{hi.min} << 32;
    AddInterval(arg, base | lo.min, base | lo.max, ~uint64_t{0}, out);
  } else if (lo_interval_full) {
    AddInterval(arg, uint64_t{hi.min} << 32, (uint64_t{hi.max} << 32) | UINT32_MAX, ~uint64_t{0}, out);
  } else {
    return false;
  }
  AddBitParts(arg, lo, 0, false, hi.min == hi.max ? hi.min : UINT64_MAX, out);
  AddBitParts(arg, hi, 32, false, UINT64_MAX, out);
  return true;
}

// True when some input of `region` has every argument word inside `canonical`'s (which only
// bounds words by intervals).
bool HasCanonicalInput(const Region& region, const Region& canonical) {
  for (uint32_t i = word::ArgLo(0); i < kWordCount; ++i) {
    WordConstraint both = region.words[i];
    both.min = std::max(both.min, canonical.words[i].min);
    both.max = std::min(both.max, canonical.words[i].max);
    if (!both.Witness()) return false;
  }
  return true;
}

}  // namespace

Region AbiRegion(Arch arch) {
  Region region;
  region.words[word::kArch].Add(UINT32_MAX, WordTest::kEq, GetArchInfo(arch).audit_arch, true);
  if (arch == Arch::kX86_64 || arch == Arch::kX32) {
    region.words[word::kNr].Add(kX32SyscallBit, WordTest::kSet, kX32SyscallBit, arch == Arch::kX32);
  }
  return region;
}

Region CanonicalRegion(Arch arch, uint32_t nr, std::string_view syscall) {
  Region region;
  region.words[word::kArch].Add(UINT32_MAX, WordTest::kEq, GetArchInfo(arch).audit_arch, true);
  region.words[word::kNr].Add(UINT32_MAX, WordTest::kEq, nr, true);
  const size_t count = syscalls::HasSignature(syscall) ? syscalls::ArgsOfOn(arch, syscall).size() : 6;
  for (int i = 0; i < static_cast<int>(count) && i < 6; ++i) {
    const int width = syscalls::ArgWidthBits(arch, syscall, i);
    if (width >= 64) continue;
    region.words[word::ArgHi(i)].Add(UINT32_MAX, WordTest::kEq, 0, true);
    if (width < 32) region.words[word::ArgLo(i)].Add(UINT32_MAX, WordTest::kGt, static_cast<uint32_t>(policy::WidthMask(width)), false);
  }
  return region;
}

ArgumentCondition ConditionOf(const Region& region, Arch arch, uint32_t nr, std::string_view syscall) {
  ArgumentCondition result;
  const Region canonical = CanonicalRegion(arch, nr, syscall);
  if (!region.words[word::kIpLo].IsFull() || !region.words[word::kIpHi].IsFull()) {
    result.unexpressed.push_back("tests the instruction pointer (" + region.words[word::kIpLo].ToString() + " / " +
                                 region.words[word::kIpHi].ToString() + ")");
  }
  const bool known = syscalls::HasSignature(syscall);
  const auto args = syscalls::ArgsOfOn(arch, syscall);
  std::vector<Condition> parts;
  for (int i = 0; i < 6; ++i) {
    const WordConstraint& lo = region.words[word::ArgLo(i)];
    const WordConstraint& hi = region.words[word::ArgHi(i)];
    const bool lo_free = lo == canonical.words[word::ArgLo(i)], hi_free = hi == canonical.words[word::ArgHi(i)];
    if (lo_free && hi_free) continue;
    const std::string what = fmt::format("args[{}] ({})", i, (lo_free ? std::string("any") : lo.ToString()) + " / " +
                                                                 (hi_free ? std::string("any") : hi.ToString()));
    if (known && static_cast<size_t>(i) >= args.size()) {
      result.unexpressed.push_back("tests " + what + ", an argument " + std::string(syscall) + " does not have on " +
                                   std::string(ArchName(arch)));
      continue;
    }
    if (known && args[i].kind == syscalls::ArgKind::kPointer) {
      result.unexpressed.push_back("tests " + what + ", a pointer (a policy cannot compare pointers)");
      continue;
    }
    const int width = syscalls::ArgWidthBits(arch, syscall, i);
    if (width >= 64) {
      if (!AddWideArgument(i, lo, hi, parts)) {
        result.unexpressed.push_back("tests " + what + ": a range of the low half under a range of high halves");
      }
      continue;
    }
    if (!hi_free) {
      result.unexpressed.push_back(fmt::format("tests the upper half of {}-bit args[{}] ({}), which the kernel ignores",
                                               width, i, hi.ToString()));
    }
    if (lo_free) continue;
    AddInterval(i, lo.min, lo.max, policy::WidthMask(width), parts);
    AddBitParts(i, lo, 0, true, UINT64_MAX, parts);
  }
  if (parts.size() == 1) {
    result.condition = std::move(parts.front());
  } else if (!parts.empty()) {
    Condition all;
    all.kind = Condition::Kind::kAnd;
    all.children = std::move(parts);
    result.condition = std::move(all);
  }
  return result;
}

bool OnlyUnnamedNumbers(const Region& region, Arch arch) {
  const WordConstraint& nr = region.words[word::kNr];
  for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
    if (nr.Admits(entry.number)) return false;
  }
  // Numbers past the table have a line of their own (`unknown`): a range like any other.
  WordConstraint beyond = nr;
  beyond.Add(UINT32_MAX, WordTest::kGt, policy::HighestKnownNumber(arch), true);
  return !beyond.Witness();
}

bool OnlyIgnoredBits(const Region& region, Arch arch) {
  const WordConstraint& nr = region.words[word::kNr];
  if (uint64_t{nr.max} - nr.min > 4096) return false;
  for (uint64_t n = nr.min; n <= nr.max; ++n) {
    if (!nr.Admits(static_cast<uint32_t>(n))) continue;
    auto name = syscalls::NameOf(arch, static_cast<uint32_t>(n));
    if (!name) return false;
    if (HasCanonicalInput(region, CanonicalRegion(arch, static_cast<uint32_t>(n), *name))) return false;
  }
  return true;
}

}  // namespace sysfence::inspect
