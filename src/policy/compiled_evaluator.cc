// SPDX-License-Identifier: Apache-2.0
#include "policy/compiled_evaluator.h"

#include <algorithm>
#include <tuple>

#include "policy/arguments.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

bool Holds(const Condition& condition, const uint8_t (&widths)[6], const SeccompData& data) {
  switch (condition.kind) {
    case Condition::Kind::kCompare: {
      const Comparison& compare = condition.compare;
      if (compare.arg < 0 || compare.arg > 5) return false;
      return ComparisonHolds(compare, data.args[compare.arg], widths[compare.arg]);
    }
    case Condition::Kind::kAnd:
      for (const Condition& child : condition.children) {
        if (!Holds(child, widths, data)) return false;
      }
      return true;
    case Condition::Kind::kOr:
      for (const Condition& child : condition.children) {
        if (Holds(child, widths, data)) return true;
      }
      return false;
    case Condition::Kind::kNot: return !condition.children.empty() && !Holds(condition.children[0], widths, data);
  }
  return false;
}

}  // namespace

CompiledEvaluator::CompiledEvaluator(Policy policy) : policy_(std::move(policy)) {
  std::vector<std::vector<std::string>> expanded;
  expanded.reserve(policy_.rules.size());
  for (const Rule& rule : policy_.rules) expanded.push_back(ExpandTargets(rule));
  for (Arch arch : policy_.arches) {
    if (std::any_of(arches_.begin(), arches_.end(), [&](const ArchIndex& index) { return index.arch == arch; })) continue;
    // (nr, rule, widths) for every rule naming a syscall of this ABI.
    std::vector<std::tuple<uint32_t, uint32_t, Candidate>> hits;
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      if (!RuleAppliesToArch(policy_.rules[i], arch)) continue;
      for (const std::string& name : expanded[i]) {
        const std::optional<uint32_t> nr = syscalls::NumberOf(arch, name);
        if (!nr) continue;
        Candidate candidate{static_cast<uint32_t>(i), {}, -1};
        for (int arg = 0; arg < 6; ++arg) {
          candidate.widths[arg] = static_cast<uint8_t>(syscalls::ArgWidthBits(arch, name, arg));
        }
        const std::optional<Condition>& condition = policy_.rules[i].condition;
        if (condition && HasNamedArguments(*condition)) {
          candidate.resolved = static_cast<int32_t>(resolved_.size());
          resolved_.push_back(ResolveArgumentsOn(*condition, arch, name));
        }
        hits.emplace_back(*nr, static_cast<uint32_t>(i), candidate);
      }
    }
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    ArchIndex index{arch, {}};
    for (const auto& [nr, rule, candidate] : hits) {
      if (index.entries.empty() || index.entries.back().nr != nr) {
        index.entries.push_back({nr, static_cast<uint32_t>(candidates_.size()), 0});
      }
      // A rule naming one syscall twice (directly and through a group) counts once.
      if (index.entries.back().count > 0 && candidates_.back().rule == rule) continue;
      candidates_.push_back(candidate);
      ++index.entries.back().count;
    }
    arches_.push_back(std::move(index));
  }
}

Decision CompiledEvaluator::Evaluate(const SeccompData& data) const {
  const uint32_t nr = static_cast<uint32_t>(data.nr);
  const std::optional<Arch> arch = ArchOfSyscall(data.arch, nr);
  const ArchIndex* index = nullptr;
  if (arch) {
    for (const ArchIndex& candidate : arches_) {
      if (candidate.arch == *arch) index = &candidate;
    }
  }
  if (index == nullptr) return {policy_.badarch_action, DecidedBy::kBadArch, -1};
  auto it = std::lower_bound(index->entries.begin(), index->entries.end(), nr,
                             [](const Entry& entry, uint32_t key) { return entry.nr < key; });
  if (it != index->entries.end() && it->nr == nr) {
    for (uint32_t i = it->first; i < it->first + it->count; ++i) {
      const Candidate& candidate = candidates_[i];
      const Rule& rule = policy_.rules[candidate.rule];
      const Condition* condition =
          candidate.resolved >= 0 ? &resolved_[static_cast<size_t>(candidate.resolved)]
                                  : (rule.condition ? &*rule.condition : nullptr);
      if (condition == nullptr || Holds(*condition, candidate.widths, data)) {
        return {rule.action, DecidedBy::kRule, static_cast<int>(candidate.rule)};
      }
    }
  }
  return {policy_.default_action, DecidedBy::kDefault, -1};
}

}  // namespace sysfence::policy
