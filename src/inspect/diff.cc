// SPDX-License-Identifier: Apache-2.0
#include "inspect/diff.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "inspect/arg_conditions.h"
#include "inspect/equivalence.h"
#include "policy/printer.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {
namespace {

// The ABI a region belongs to, when its arch word is one token (and, on x86_64's token, the x32
// bit of its numbers is settled).
std::optional<Arch> ArchOfRegion(const Region& region) {
  const WordConstraint& arch_word = region.words[word::kArch];
  if (arch_word.min != arch_word.max) return std::nullopt;
  std::optional<Arch> arch = ArchFromAudit(arch_word.min);
  if (arch != Arch::kX86_64) return arch;
  const WordConstraint& nr = region.words[word::kNr];
  const bool all_x32 = nr.min >= kX32SyscallBit && nr.max < 2 * kX32SyscallBit;
  const bool none_x32 = nr.max < kX32SyscallBit;
  if (all_x32) return Arch::kX32;
  if (none_x32) return Arch::kX86_64;
  return std::nullopt;
}

std::string NumberRange(uint32_t first, uint32_t last) {
  return first == last ? fmt::format("number {:#x}", first) : fmt::format("numbers {:#x}-{:#x}", first, last);
}

DiffEntry Entry(const Difference& d, std::optional<Arch> arch, std::string syscall, uint32_t nr) {
  DiffEntry entry;
  entry.arch = arch;
  entry.syscall = std::move(syscall);
  entry.nr = nr;
  entry.left = d.LeftAction();
  entry.right = d.RightAction();
  entry.left_filter = d.left.deciding_filter;
  entry.right_filter = d.right.deciding_filter;
  entry.witness = d.witness;
  return entry;
}

// Splits one difference region into per-syscall entries of its ABI.
void AddEntries(const Difference& d, std::vector<DiffEntry>& out);

// A region under x86_64's token holding numbers of both ABIs: one part per ABI, and the numbers
// from 0x80000000 up as one entry.
void SplitX86Token(const Difference& d, std::vector<DiffEntry>& out) {
  // x86_64's token with numbers of both ABIs: one part per ABI.
  for (const bool x32 : {false, true}) {
    Difference part = d;
    part.region.words[word::kNr].Add(kX32SyscallBit, WordTest::kSet, kX32SyscallBit, x32);
    if (!x32) part.region.words[word::kNr].Add(UINT32_MAX, WordTest::kGe, kX32SyscallBit, false);
    if (x32) {
      part.region.words[word::kNr].Add(UINT32_MAX, WordTest::kGe, kX32SyscallBit, true);
      part.region.words[word::kNr].Add(UINT32_MAX, WordTest::kGe, 2 * kX32SyscallBit, false);
    }
    auto witness = part.region.Witness();
    if (!witness) continue;
    part.witness = *witness;
    AddEntries(part, out);
  }
  // Numbers from 0x80000000 up: x86_64's by the x32 bit rule when it is clear, x32's when set.
  Difference high = d;
  high.region.words[word::kNr].Add(UINT32_MAX, WordTest::kGe, 2 * kX32SyscallBit, true);
  if (auto witness = high.region.Witness()) {
    high.witness = *witness;
    DiffEntry entry = Entry(high, std::nullopt, "numbers >= 0x80000000 under the x86_64 token", high.region.words[word::kNr].min);
    out.push_back(std::move(entry));
  }
}

// The entry of one named syscall `number` inside the region.
DiffEntry NamedEntry(const Difference& d, Arch arch, uint32_t number, const std::string& name) {
  Region sub = d.region;
  sub.words[word::kNr] = WordConstraint{};
  sub.words[word::kNr].Add(UINT32_MAX, WordTest::kEq, number, true);
  const Region canonical = CanonicalRegion(arch, number, name);
  Region inside = sub;
  for (uint32_t w = 0; w < kWordCount; ++w) inside.words[w].Intersect(canonical.words[w]);
  DiffEntry entry = Entry(d, arch, name, number);
  if (!inside.Satisfiable()) {
    entry.only_ignored_bits = true;
    entry.condition = "(only argument values with bits above the argument's width set)";
    return entry;
  }
  if (auto witness = inside.Witness()) entry.witness = *witness;
  ArgumentCondition condition = ConditionOf(inside, arch, number, name);
  if (condition.condition) {
    const std::vector<std::string> targets = {name};
    entry.condition = policy::PrintCondition(*condition.condition, targets, {arch});
  }
  for (const std::string& what : condition.unexpressed) {
    entry.condition += (entry.condition.empty() ? "" : " ") + std::string("# and ") + what;
  }
  return entry;
}

// Splits one difference region into per-syscall entries of its ABI.
void AddEntries(const Difference& d, std::vector<DiffEntry>& out) {
  const std::optional<Arch> arch = ArchOfRegion(d.region);
  const WordConstraint& arch_word = d.region.words[word::kArch];
  if (!arch && arch_word.min == arch_word.max && ArchFromAudit(arch_word.min) == Arch::kX86_64) {
    SplitX86Token(d, out);
    return;
  }
  if (!arch) {
    out.push_back(Entry(d, std::nullopt, "arch " + d.region.words[word::kArch].ToString(), 0));
    return;
  }
  const WordConstraint& nr = d.region.words[word::kNr];
  bool in_unnamed = false;  // a run of unnamed numbers [unnamed_first, unnamed_last] is open
  uint32_t unnamed_first = 0, unnamed_last = 0;
  auto flush_unnamed = [&] {
    if (!in_unnamed) return;
    DiffEntry entry = Entry(d, arch, NumberRange(unnamed_first, unnamed_last), unnamed_first);
    entry.witness.nr = static_cast<int32_t>(unnamed_first);
    out.push_back(std::move(entry));
    in_unnamed = false;
  };
  // Named numbers one by one; runs of unnamed numbers as one entry (a huge range stays one entry).
  const auto table = syscalls::AllOf(*arch);
  uint64_t n = nr.min;
  while (n <= nr.max) {
    auto next_named = std::lower_bound(table.begin(), table.end(), static_cast<uint32_t>(n),
                                       [](const syscalls::SyscallEntry& e, uint32_t v) { return e.number < v; });
    const uint64_t stop = next_named == table.end() ? uint64_t{nr.max} + 1 : std::min<uint64_t>(next_named->number, uint64_t{nr.max} + 1);
    if (stop > n) {  // [n, stop) holds no named number
      std::optional<uint32_t> first = nr.Admits(static_cast<uint32_t>(n)) ? std::optional<uint32_t>(n) : std::nullopt;
      if (!first) {
        WordConstraint within = nr;
        within.min = static_cast<uint32_t>(n);
        within.max = static_cast<uint32_t>(stop - 1);
        first = within.Witness();
      }
      if (first) {
        if (!in_unnamed) unnamed_first = *first;
        in_unnamed = true;
        unnamed_last = static_cast<uint32_t>(stop - 1);
      }
      n = stop;
      continue;
    }
    const uint32_t number = static_cast<uint32_t>(n++);
    if (!nr.Admits(number)) continue;
    flush_unnamed();
    out.push_back(NamedEntry(d, *arch, number, std::string(next_named->name)));
  }
  flush_unnamed();
}

std::string RuleText(const Action& action, const DiffEntry& entry) {
  std::string text = action.ToPolicyText() + " " + entry.syscall;
  if (entry.condition.empty()) return text;
  const bool prose = entry.only_ignored_bits || entry.condition.rfind("# ", 0) == 0;
  return text + (prose ? " " : " if ") + entry.condition;
}

}  // namespace

Result<SemanticDiff> DiffStacks(const FilterStack& left, const FilterStack& right) {
  EquivalenceOptions options;
  auto report = CheckEquivalence(left, right, options);
  if (!report.ok()) return report.error();
  SemanticDiff diff;
  diff.regions = report->regions;
  for (const Difference& d : report->differences) AddEntries(d, diff.entries);
  std::stable_sort(diff.entries.begin(), diff.entries.end(), [](const DiffEntry& a, const DiffEntry& b) {
    const int arch_a = a.arch ? static_cast<int>(*a.arch) : 99, arch_b = b.arch ? static_cast<int>(*b.arch) : 99;
    return std::tie(arch_a, a.nr) < std::tie(arch_b, b.nr);
  });
  return diff;
}

std::string RenderDiff(const SemanticDiff& diff, const std::string& left_name, const std::string& right_name) {
  if (diff.Same()) return fmt::format("same decisions on every input ({} regions compared)\n", diff.regions);
  std::string out = fmt::format("--- {}\n+++ {}\n", left_name, right_name);
  std::string current_group;
  for (const DiffEntry& entry : diff.entries) {
    const std::string group = entry.arch ? std::string(ArchName(*entry.arch)) : std::string("unknown arch values");
    if (group != current_group) {
      out += "@@ " + group + " @@\n";
      current_group = group;
    }
    out += "- " + RuleText(entry.left, entry) + (entry.left_filter != 0 ? fmt::format("   # filter {}", entry.left_filter) : "") + "\n";
    out += "+ " + RuleText(entry.right, entry) + (entry.right_filter != 0 ? fmt::format("   # filter {}", entry.right_filter) : "") + "\n";
  }
  out += fmt::format("{} difference{} ({} regions compared)\n", diff.entries.size(), diff.entries.size() == 1 ? "" : "s",
                     diff.regions);
  return out;
}

std::string DiffJson(const SemanticDiff& diff) {
  nlohmann::ordered_json out;
  out["same"] = diff.Same();
  out["regions"] = diff.regions;
  out["differences"] = nlohmann::ordered_json::array();
  for (const DiffEntry& e : diff.entries) {
    nlohmann::ordered_json item;
    item["arch"] = e.arch ? nlohmann::ordered_json(std::string(ArchName(*e.arch))) : nlohmann::ordered_json(nullptr);
    item["syscall"] = e.syscall;
    item["nr"] = e.nr;
    item["condition"] = e.condition;
    item["only_ignored_bits"] = e.only_ignored_bits;
    item["left"] = e.left.ToPolicyText();
    item["right"] = e.right.ToPolicyText();
    item["left_filter"] = e.left_filter;
    item["right_filter"] = e.right_filter;
    nlohmann::ordered_json witness;
    witness["nr"] = static_cast<uint32_t>(e.witness.nr);
    witness["arch"] = e.witness.arch;
    witness["instruction_pointer"] = e.witness.instruction_pointer;
    witness["args"] = std::vector<uint64_t>(std::begin(e.witness.args), std::end(e.witness.args));
    item["witness"] = std::move(witness);
    out["differences"].push_back(std::move(item));
  }
  return out.dump(2) + "\n";
}

}  // namespace sysfence::inspect
