// SPDX-License-Identifier: Apache-2.0
#include "ir/build.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/lower.h"
#include "policy/arguments.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::ir {
namespace {

// Syscall names of each rule, @groups expanded (views into the policy or the static tables).
Result<std::vector<std::vector<std::string_view>>> ExpandTargets(const policy::Policy& policy) {
  std::vector<std::vector<std::string_view>> expanded(policy.rules.size());
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    for (const std::string& target : policy.rules[i].targets) {
      if (target.starts_with('@')) {
        const syscalls::Group* group = syscalls::FindGroup(target);
        if (group == nullptr) return MakeError(ErrorCode::kNotFound, "unknown syscall group '" + target + "'");
        for (std::string_view name : syscalls::ExpandGroup(*group)) expanded[i].push_back(name);
      } else {
        expanded[i].push_back(target);
      }
    }
  }
  return expanded;
}

bool AppliesTo(const policy::Rule& rule, Arch arch) {
  return rule.only_arches.empty() ||
         std::find(rule.only_arches.begin(), rule.only_arches.end(), arch) != rule.only_arches.end();
}

// One syscall of one ABI named by one rule.
struct Mention {
  uint32_t nr;
  int rule;
  std::string_view name;
};

// `resolved[i][t]` is set when target t of rule i names a syscall of `arch`.
ArchTable BuildTable(const policy::Policy& policy, const std::vector<std::vector<std::string_view>>& targets,
                     Arch arch, NodeBuilder& builder, NodeId default_leaf, NodeId unknown_leaf,
                     std::vector<std::vector<char>>& resolved) {
  std::vector<Mention> mentions;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    for (size_t t = 0; t < targets[i].size(); ++t) {
      const std::string_view name = targets[i][t];
      const auto nr = syscalls::NumberOf(arch, name);
      if (!nr) continue;
      resolved[i][t] = 1;
      if (AppliesTo(policy.rules[i], arch)) mentions.push_back({*nr, static_cast<int>(i), name});
    }
  }
  std::sort(mentions.begin(), mentions.end(),
            [](const Mention& a, const Mention& b) { return a.nr != b.nr ? a.nr < b.nr : a.rule < b.rule; });

  ArchTable table;
  table.arch = arch;
  auto append = [&table](uint32_t first, uint32_t last, NodeId node) {
    if (!table.ranges.empty() && table.ranges.back().node == node && table.ranges.back().last + 1 == first) {
      table.ranges.back().last = last;
    } else {
      table.ranges.push_back({first, last, node});
    }
  };

  uint64_t next_unassigned = 0;
  for (size_t begin = 0; begin < mentions.size();) {
    size_t end = begin;
    while (end < mentions.size() && mentions[end].nr == mentions[begin].nr) ++end;
    const uint32_t nr = mentions[begin].nr;
    // Argument widths are looked up only for syscalls with conditions (most have none).
    ArgWidths widths{};
    bool have_widths = false;
    // First match: build from the last rule back, each rule falling through to the ones after it.
    NodeId node = default_leaf;
    for (size_t m = end; m-- > begin;) {
      if (m + 1 < end && mentions[m + 1].rule == mentions[m].rule) continue;  // named twice in one rule
      const policy::Rule& rule = policy.rules[static_cast<size_t>(mentions[m].rule)];
      const NodeId decided = builder.Leaf({rule.action, policy::DecidedBy::kRule, mentions[m].rule});
      if (!rule.condition) {
        node = decided;
        continue;
      }
      if (!have_widths) {
        for (int a = 0; a < 6; ++a) {
          widths[static_cast<size_t>(a)] = syscalls::ArgWidthBits(arch, mentions[begin].name, a);
        }
        have_widths = true;
      }
      if (policy::HasNamedArguments(*rule.condition)) {
        // Names sit where this ABI's signature puts them (clone_flags: arg0 on x86_64, arg1 on s390x).
        const policy::Condition on_abi = policy::ResolveArgumentsOn(*rule.condition, arch, mentions[m].name);
        node = LowerCondition(builder, on_abi, widths, decided, node);
      } else {
        node = LowerCondition(builder, *rule.condition, widths, decided, node);
      }
    }
    if (next_unassigned < nr) append(static_cast<uint32_t>(next_unassigned), nr - 1, default_leaf);
    append(nr, nr, node);
    next_unassigned = uint64_t{nr} + 1;
    begin = end;
  }
  // Past the table: the `unknown` answer (ENOSYS unless the policy says otherwise).
  const uint64_t highest = policy::HighestKnownNumber(arch);
  if (next_unassigned <= highest) append(static_cast<uint32_t>(next_unassigned), static_cast<uint32_t>(highest), default_leaf);
  next_unassigned = std::max(next_unassigned, highest + 1);
  if (next_unassigned <= 0xffffffffu) append(static_cast<uint32_t>(next_unassigned), 0xffffffffu, unknown_leaf);
  return table;
}

// A named argument must exist on every ABI and syscall its rule applies to (CheckPolicy says why
// when it does not; the IR refuses rather than test some other register).
Result<void> CheckNamedArguments(const policy::Policy& policy,
                                 const std::vector<std::vector<std::string_view>>& targets) {
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const policy::Rule& rule = policy.rules[i];
    if (!rule.condition || !policy::HasNamedArguments(*rule.condition)) continue;
    for (Arch arch : policy.arches) {
      if (!AppliesTo(rule, arch)) continue;
      for (std::string_view name : targets[i]) {
        if (!syscalls::NumberOf(arch, name)) continue;
        const policy::Condition resolved = policy::ResolveArgumentsOn(*rule.condition, arch, name);
        if (policy::HasNamedArguments(resolved) || !ValidateCondition(resolved)) {
          return MakeError(ErrorCode::kInvalidInput, "rule " + rule.span.ToString() + ": a named argument of " +
                                                         std::string(name) + " does not exist on " +
                                                         std::string(ArchName(arch)));
        }
      }
    }
  }
  return Ok();
}

}  // namespace

Result<Ir> BuildIr(const policy::Policy& policy) {
  if (policy.arches.empty()) return MakeError(ErrorCode::kInvalidInput, "the policy lists no architecture");
  for (const policy::Rule& rule : policy.rules) {
    if (rule.condition) {
      if (auto r = ValidateCondition(*rule.condition); !r) return r.error();
    }
  }
  auto targets = ExpandTargets(policy);
  if (!targets) return targets.error();
  if (auto r = CheckNamedArguments(policy, *targets); !r) return r.error();

  Ir ir;
  ir.badarch_action = policy.badarch_action;
  ir.default_action = policy.default_action;
  NodeBuilder builder(ir.nodes);
  const NodeId default_leaf = builder.Leaf({policy.default_action, policy::DecidedBy::kDefault, -1});
  // Numbers past the table that get the default anyway share its leaf (no extra range in the BPF).
  const Action unknown = policy::UnknownAction(policy);
  const NodeId unknown_leaf = unknown == policy.default_action
                                  ? default_leaf
                                  : builder.Leaf({unknown, policy::DecidedBy::kUnknown, -1});
  std::vector<std::vector<char>> resolved(targets->size());
  for (size_t i = 0; i < resolved.size(); ++i) resolved[i].assign((*targets)[i].size(), 0);
  for (Arch arch : policy.arches) {
    if (ir.FindTable(arch) != nullptr) continue;  // listed twice
    ir.tables.push_back(BuildTable(policy, *targets, arch, builder, default_leaf, unknown_leaf, resolved));
  }
  // A name no listed ABI has must still exist on some ABI (a typo is an error, not a no-op).
  for (size_t i = 0; i < resolved.size(); ++i) {
    for (size_t t = 0; t < resolved[i].size(); ++t) {
      const std::string_view name = (*targets)[i][t];
      if (resolved[i][t] == 0 && !syscalls::IsKnownName(name)) {
        return MakeError(ErrorCode::kNotFound, "unknown syscall '" + std::string(name) + "'");
      }
    }
  }
  return ir;
}

}  // namespace sysfence::ir
