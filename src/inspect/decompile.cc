// SPDX-License-Identifier: Apache-2.0
#include "inspect/decompile.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "codegen/compile.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "inspect/arg_conditions.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {
namespace {

// How often each action decides inside a region (leaf counts), in first-seen order.
struct Outcomes {
  std::vector<std::pair<Action, size_t>> counts;
  size_t first_filter = 0;
  void Add(Action action, size_t filter) {
    if (counts.empty()) first_filter = filter;
    for (auto& [known, count] : counts) {
      if (known == action) {
        ++count;
        return;
      }
    }
    counts.emplace_back(action, 1);
  }
  bool Uniform() const { return counts.size() == 1; }
  Action Majority() const {
    return std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
        ->first;
  }
  std::string Describe() const {
    std::vector<std::string> parts;
    for (const auto& [action, count] : counts) parts.push_back(fmt::format("{} ({} regions)", action.ToPolicyText(), count));
    return fmt::format("{}", fmt::join(parts, ", "));
  }
};

// One syscall's decision on one ABI: conditional rules tried first, then the fallback.
struct RuleSet {
  std::vector<std::pair<policy::Condition, Action>> conditional;
  Action fallback;
  size_t filter = 0;  // the filter deciding the fallback
  friend bool operator==(const RuleSet& a, const RuleSet& b) {
    return a.conditional == b.conditional && a.fallback == b.fallback && a.filter == b.filter;
  }
};

class Decompiler {
 public:
  explicit Decompiler(const FilterStack& stack) : stack_(stack) {}

  Result<Decompilation> Run() {
    if (auto status = DecideArches(); !status.ok()) return status.error();
    if (auto status = DecideDefault(); !status.ok()) return status.error();
    std::map<std::string, std::vector<std::pair<Arch, RuleSet>>> by_name;
    for (Arch arch : out_.policy.arches) {
      for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
        auto rules = RulesOf(arch, entry);
        if (!rules.ok()) return rules.error();
        by_name[std::string(entry.name)].emplace_back(arch, std::move(*rules));
      }
    }
    EmitRules(by_name);
    return std::move(out_);
  }

 private:
  Result<Outcomes> OutcomesIn(const Region& region) {
    Outcomes outcomes;
    auto explored = Explore(stack_, region, [&](const Region&, const StackOutcome& o) {
      outcomes.Add(Action::FromSeccompRet(o.value), o.deciding_filter);
      return true;
    });
    if (!explored.ok()) return explored.error();
    out_.regions += *explored;
    return outcomes;
  }

  Result<void> DecideArches() {
    Region other;
    for (Arch arch : AllArches()) other.words[word::kArch].Add(UINT32_MAX, WordTest::kEq, GetArchInfo(arch).audit_arch, false);
    auto unknown = OutcomesIn(other);
    if (!unknown.ok()) return unknown.error();
    out_.policy.badarch_action = unknown->Majority();
    if (!unknown->Uniform()) out_.unexpressed.push_back("arch values of no known ABI are decided in several ways: " + unknown->Describe() + "; badarch takes the most common");
    for (Arch arch : AllArches()) {
      auto outcomes = OutcomesIn(AbiRegion(arch));
      if (!outcomes.ok()) return outcomes.error();
      if (outcomes->Uniform() && outcomes->Majority() == out_.policy.badarch_action) continue;
      out_.policy.arches.push_back(arch);
    }
    return {};
  }

  // The default decides the unnamed numbers inside each ABI's table (its gaps); the `unknown`
  // line the numbers past it (policy::UnknownAction).
  Result<void> DecideDefault() {
    if (out_.policy.arches.empty()) {  // the stack decides every ABI like an unknown one
      out_.policy.arches.push_back(Arch::kX86_64);
    }
    std::vector<std::pair<Arch, Outcomes>> gaps, past;
    for (Arch arch : out_.policy.arches) {
      const uint32_t highest = policy::HighestKnownNumber(arch);
      Region unnamed = AbiRegion(arch);
      for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
        unnamed.words[word::kNr].Add(UINT32_MAX, WordTest::kEq, entry.number, false);
      }
      unnamed.words[word::kNr].Add(UINT32_MAX, WordTest::kGt, highest, false);
      Region beyond = AbiRegion(arch);
      beyond.words[word::kNr].Add(UINT32_MAX, WordTest::kGt, highest, true);
      for (auto [region, into] : {std::pair{&unnamed, &gaps}, std::pair{&beyond, &past}}) {
        if (!region->Satisfiable()) continue;  // an ABI whose table has no gap
        auto outcomes = OutcomesIn(*region);
        if (!outcomes.ok()) return outcomes.error();
        into->emplace_back(arch, std::move(*outcomes));
      }
    }
    const Outcomes all_gaps = Pooled(gaps), all_past = Pooled(past);
    out_.policy.default_action = all_gaps.counts.empty() ? all_past.Majority() : all_gaps.Majority();
    NoteUnlike(gaps, out_.policy.default_action, "numbers that name no syscall", "the default");
    if (all_past.counts.empty()) return {};
    const Action unknown = all_past.Majority();
    if (policy::UnknownAction(out_.policy) != unknown) {
      if (unknown == out_.policy.default_action) {
        out_.policy.unknown_follows_default = true;
      } else {
        out_.policy.unknown_action = unknown;
      }
    }
    NoteUnlike(past, unknown, "numbers past the syscall table", "the unknown line's action");
    return {};
  }

  // Every count of every ABI's outcomes, as one.
  static Outcomes Pooled(const std::vector<std::pair<Arch, Outcomes>>& per_arch) {
    Outcomes all;
    for (const auto& [arch, outcomes] : per_arch) {
      for (const auto& [action, count] : outcomes.counts) {
        for (size_t i = 0; i < count; ++i) all.Add(action, 0);
      }
    }
    return all;
  }

  // Lists the ABIs whose `what` are not all decided `chosen` (a policy gives them one `line`).
  void NoteUnlike(const std::vector<std::pair<Arch, Outcomes>>& per_arch, Action chosen, std::string_view what,
                  std::string_view line) {
    for (const auto& [arch, outcomes] : per_arch) {
      if (outcomes.Uniform() && outcomes.Majority() == chosen) continue;
      out_.unexpressed.push_back(fmt::format("{}: {} are decided {}; a policy gives them all {} ({})", ArchName(arch),
                                             what, outcomes.Describe(), line, chosen.ToPolicyText()));
    }
  }

  Result<RuleSet> RulesOf(Arch arch, const syscalls::SyscallEntry& entry) {
    struct Leaf {
      ArgumentCondition condition;
      Action action;
      size_t filter;
    };
    std::vector<Leaf> leaves;
    Outcomes outcomes;
    auto explored = Explore(stack_, CanonicalRegion(arch, entry.number, entry.name), [&](const Region& region, const StackOutcome& o) {
      const Action action = Action::FromSeccompRet(o.value);
      leaves.push_back({ConditionOf(region, arch, entry.number, entry.name), action, o.deciding_filter});
      outcomes.Add(action, o.deciding_filter);
      return true;
    });
    if (!explored.ok()) return explored.error();
    out_.regions += *explored;
    RuleSet rules;
    rules.fallback = outcomes.Majority();
    for (const Leaf& leaf : leaves) {
      for (const std::string& what : leaf.condition.unexpressed) {
        out_.unexpressed.push_back(fmt::format("{} {}: {}", ArchName(arch), entry.name, what));
      }
      if (leaf.action == rules.fallback) {
        rules.filter = leaf.filter;
        continue;
      }
      if (!leaf.condition.condition) {
        out_.unexpressed.push_back(fmt::format("{} {}: decided {} on inputs told apart only by what a policy cannot test",
                                               ArchName(arch), entry.name, leaf.action.ToPolicyText()));
        continue;
      }
      rules.conditional.emplace_back(*leaf.condition.condition, leaf.action);
    }
    return rules;
  }

  std::string FilterComment(size_t filter) const {
    return stack_.size() > 1 ? fmt::format("filter {} decides", filter) : std::string();
  }

  void EmitRules(const std::map<std::string, std::vector<std::pair<Arch, RuleSet>>>& by_name) {
    struct GroupKey {
      Action action;
      std::vector<Arch> arches;
      size_t filter;
      bool operator<(const GroupKey& o) const {
        return std::tie(action.kind, action.data, arches, filter) < std::tie(o.action.kind, o.action.data, o.arches, o.filter);
      }
    };
    std::map<GroupKey, std::vector<std::string>> unconditional;
    for (const auto& [name, per_arch] : by_name) {
      std::vector<std::pair<const RuleSet*, std::vector<Arch>>> distinct;
      for (const auto& [arch, rules] : per_arch) {
        auto same = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return *d.first == rules; });
        if (same == distinct.end()) distinct.push_back({&rules, {arch}});
        else same->second.push_back(arch);
      }
      for (const auto& [rules, arches] : distinct) {
        std::vector<Arch> on = distinct.size() == 1 ? std::vector<Arch>{} : arches;
        for (const auto& [condition, action] : rules->conditional) {
          policy::Rule rule;
          rule.action = action;
          rule.targets = {name};
          rule.condition = condition;
          rule.only_arches = on;
          out_.policy.rules.push_back(std::move(rule));
        }
        if (rules->fallback != out_.policy.default_action) {
          unconditional[{rules->fallback, on, rules->filter}].push_back(name);
        }
      }
    }
    for (auto& [key, names] : unconditional) {
      policy::Rule rule;
      rule.action = key.action;
      rule.targets = std::move(names);
      rule.only_arches = key.arches;
      rule.comment = FilterComment(key.filter);
      out_.policy.rules.push_back(std::move(rule));
    }
  }

  const FilterStack& stack_;
  Decompilation out_;
};

}  // namespace

Result<Decompilation> Decompile(const FilterStack& stack) {
  if (stack.empty()) return MakeError(ErrorCode::kInvalidInput, "no filter to decompile");
  return Decompiler(stack).Run();
}

Result<RoundTrip> ProveDecompiled(const FilterStack& stack, std::string_view policy_text) {
  Diagnostics diagnostics;
  std::optional<policy::Policy> policy =
      formats::LoadPolicyText(policy_text, "<decompiled>", formats::LoadOptions{}, diagnostics);
  if (!policy || diagnostics.HasErrors()) {
    std::string first = diagnostics.all().empty() ? "" : diagnostics.all().front().message;
    return MakeError(ErrorCode::kInternal, "the decompiled policy does not parse: " + first);
  }
  auto compiled = codegen::Compile(*policy);
  if (!compiled.ok()) return MakeError(compiled.error().code, "the decompiled policy does not compile: " + compiled.error().message);
  RoundTrip trip;
  trip.recompiled = std::move(*compiled);
  auto report = CheckEquivalence(stack, {trip.recompiled});
  if (!report.ok()) return report.error();
  trip.report = std::move(*report);
  for (const Difference& difference : trip.report.differences) {
    const WordConstraint& arch_word = difference.region.words[word::kArch];
    const std::optional<Arch> token = ArchFromAudit(arch_word.min);
    if (arch_word.min != arch_word.max || !token) continue;
    auto arch = ArchOfSyscall(difference.witness.arch, static_cast<uint32_t>(difference.witness.nr));
    const std::vector<Arch> abis = *token == Arch::kX86_64 ? std::vector<Arch>{Arch::kX86_64, Arch::kX32}
                                                           : std::vector<Arch>{*token};
    if (arch && OnlyIgnoredBits(difference.region, *arch)) {
      ++trip.only_ignored_bits;
    } else if (std::all_of(abis.begin(), abis.end(), [&](Arch a) { return OnlyUnnamedNumbers(difference.region, a); })) {
      ++trip.only_unnamed_numbers;
    }
  }
  return trip;
}

}  // namespace sysfence::inspect
