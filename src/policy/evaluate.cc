// SPDX-License-Identifier: Apache-2.0
// The reference evaluator, written as directly from the semantics in policy.h as possible: it
// favours obviousness over speed (the IR evaluator, ir::Evaluate, is the fast one, tested against
// this).
#include "policy/evaluate.h"

#include <algorithm>

#include "policy/arguments.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

bool Holds(const Condition& condition, Arch arch, std::string_view name, const SeccompData& data) {
  switch (condition.kind) {
    case Condition::Kind::kCompare: {
      const Comparison& compare = condition.compare;
      // A named argument sits where this ABI's signature puts it (clone_flags is arg1 on s390x).
      const std::optional<int> arg = ArgumentPositionOn(compare, arch, name);
      if (!arg || *arg < 0 || *arg > 5) return false;
      return ComparisonHolds(compare, data.args[*arg], syscalls::ArgWidthBits(arch, name, *arg));
    }
    case Condition::Kind::kAnd:
      return std::all_of(condition.children.begin(), condition.children.end(),
                         [&](const Condition& child) { return Holds(child, arch, name, data); });
    case Condition::Kind::kOr:
      return std::any_of(condition.children.begin(), condition.children.end(),
                         [&](const Condition& child) { return Holds(child, arch, name, data); });
    case Condition::Kind::kNot:
      return !condition.children.empty() && !Holds(condition.children[0], arch, name, data);
  }
  return false;
}

}  // namespace

uint32_t HighestKnownNumber(Arch arch) {
  const auto all = syscalls::AllOf(arch);
  uint32_t highest = 0;
  for (const auto& entry : all) highest = std::max(highest, entry.number);
  return highest;
}

Decision Evaluate(const Policy& policy, const SeccompData& data) {
  const uint32_t nr = static_cast<uint32_t>(data.nr);
  const std::optional<Arch> arch = ArchOfSyscall(data.arch, nr);
  if (!arch || std::find(policy.arches.begin(), policy.arches.end(), *arch) == policy.arches.end()) {
    return {policy.badarch_action, DecidedBy::kBadArch, -1};
  }
  const std::optional<std::string_view> name = syscalls::NameOf(*arch, nr);
  if (!name) {
    // Past the table the `unknown` answer decides, when it differs from the default.
    if (nr > HighestKnownNumber(*arch) && UnknownAction(policy) != policy.default_action) {
      return {UnknownAction(policy), DecidedBy::kUnknown, -1};
    }
    return {policy.default_action, DecidedBy::kDefault, -1};
  }
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& rule = policy.rules[i];
    if (!RuleAppliesToArch(rule, *arch)) continue;
    const std::vector<std::string> names = ExpandTargets(rule);
    if (!std::binary_search(names.begin(), names.end(), *name)) continue;
    if (!rule.condition || Holds(*rule.condition, *arch, *name, data)) {
      return {rule.action, DecidedBy::kRule, static_cast<int>(i)};
    }
  }
  return {policy.default_action, DecidedBy::kDefault, -1};
}

}  // namespace sysfence::policy
