// SPDX-License-Identifier: Apache-2.0
#include "policy/builder.h"

#include "core/suggest.h"
#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

// The first problem with the arguments a condition uses, if any.
std::optional<Problem> CheckConditionArgs(const Condition& condition, const std::vector<std::string>& syscalls) {
  if (condition.kind == Condition::Kind::kCompare) return CheckArgumentUse(condition.compare.arg, syscalls);
  const size_t needed = condition.kind == Condition::Kind::kNot ? 1 : 2;
  if (condition.kind == Condition::Kind::kNot ? condition.children.size() != needed
                                              : condition.children.size() < needed) {
    return Problem{"malformed condition: wrong number of operands", ""};
  }
  for (const Condition& child : condition.children) {
    if (auto problem = CheckConditionArgs(child, syscalls)) return problem;
  }
  return std::nullopt;
}

Condition Combine(Condition::Kind kind, std::vector<Condition> conditions) {
  if (conditions.size() == 1) return std::move(conditions.front());
  Condition combined;
  combined.kind = kind;
  combined.children = std::move(conditions);
  return combined;
}

}  // namespace

Condition ArgRef::Make(CompareOp op, uint64_t value) const {
  Condition condition;
  condition.compare.arg = index_;
  condition.compare.op = op;
  condition.compare.value = value;
  return condition;
}

Condition ArgRef::MaskedEq(uint64_t mask, uint64_t value) const {
  Condition condition = Make(CompareOp::kMaskedEq, value);
  condition.compare.mask = mask;
  return condition;
}

Condition ArgRef::In(std::initializer_list<uint64_t> values) const {
  std::vector<Condition> members;
  for (uint64_t value : values) members.push_back(Eq(value));
  return Combine(Condition::Kind::kOr, std::move(members));
}

Condition AllOf(std::vector<Condition> conditions) { return Combine(Condition::Kind::kAnd, std::move(conditions)); }
Condition AnyOf(std::vector<Condition> conditions) { return Combine(Condition::Kind::kOr, std::move(conditions)); }
Condition Not(Condition condition) {
  Condition negation;
  negation.kind = Condition::Kind::kNot;
  negation.children.push_back(std::move(condition));
  return negation;
}

void PolicyBuilder::SetError(std::string message) {
  if (!error_) error_ = MakeError(ErrorCode::kInvalidInput, std::move(message));
}

PolicyBuilder& PolicyBuilder::SetArches(std::vector<Arch> arches) {
  if (Failed()) return *this;
  if (arches.empty()) SetError("SetArches: no ABI given");
  policy_.arches = std::move(arches);
  return *this;
}

PolicyBuilder& PolicyBuilder::SetDefault(Action action) {
  if (Failed()) return *this;
  if (action.kind == ActionKind::kErrno) {
    if (auto problem = CheckErrnoValue(action.data)) SetError("SetDefault: " + problem->message);
  }
  policy_.default_action = action;
  return *this;
}

PolicyBuilder& PolicyBuilder::SetBadArch(Action action) {
  if (Failed()) return *this;
  if (action.kind == ActionKind::kErrno) {
    if (auto problem = CheckErrnoValue(action.data)) SetError("SetBadArch: " + problem->message);
  }
  policy_.badarch_action = action;
  return *this;
}

PolicyBuilder& PolicyBuilder::Allow(std::initializer_list<std::string_view> targets) {
  std::vector<std::string> names;
  for (std::string_view target : targets) names.emplace_back(target);
  return AddRule(Action::Allow(), std::move(names));
}

PolicyBuilder& PolicyBuilder::AddRule(Action action, std::vector<std::string> targets,
                                      std::optional<Condition> condition, std::vector<Arch> only_arches) {
  Rule rule;
  rule.action = action;
  rule.targets = std::move(targets);
  rule.condition = std::move(condition);
  rule.only_arches = std::move(only_arches);
  return AddRule(std::move(rule));
}

PolicyBuilder& PolicyBuilder::AddRule(Rule rule) {
  if (Failed()) return *this;
  const std::string where = "rule " + std::to_string(policy_.rules.size() + 1);
  if (rule.targets.empty()) return SetError(where + ": names no syscall"), *this;
  for (const std::string& target : rule.targets) {
    if (!target.empty() && target.front() == '@') {
      if (!syscalls::FindGroup(target)) return SetError(where + ": unknown group '" + target + "'"), *this;
    } else if (!syscalls::IsKnownName(target)) {
      return SetError(where + ": unknown syscall '" + target + "'" + DidYouMean(target, syscalls::AllNames())), *this;
    }
  }
  if (rule.action.kind == ActionKind::kErrno) {
    if (auto problem = CheckErrnoValue(rule.action.data)) return SetError(where + ": " + problem->message), *this;
  }
  if (rule.condition) {
    if (auto problem = CheckConditionArgs(*rule.condition, ExpandTargets(rule))) {
      return SetError(where + ": " + problem->message), *this;
    }
  }
  policy_.rules.push_back(std::move(rule));
  return *this;
}

PolicyBuilder& PolicyBuilder::AllowFs(uint32_t access, std::vector<std::string> paths) {
  if (Failed()) return *this;
  if (access == 0 || (access & ~kFsAllAccess) != 0) return SetError("AllowFs: invalid access rights"), *this;
  if (paths.empty()) return SetError("AllowFs: no path given"), *this;
  for (const std::string& path : paths) {
    if (path.empty() || path.front() != '/') return SetError("AllowFs: path '" + path + "' is not absolute"), *this;
  }
  FsRule rule;
  rule.access = access;
  rule.paths = std::move(paths);
  policy_.fs_rules.push_back(std::move(rule));
  return *this;
}

PolicyBuilder& PolicyBuilder::AllowNet(NetRule::Kind kind, uint16_t port) {
  if (Failed()) return *this;
  NetRule rule;
  rule.kind = kind;
  rule.port = port;
  policy_.net_rules.push_back(rule);
  return *this;
}

Result<Policy> PolicyBuilder::Build() const {
  if (error_) return *error_;
  Diagnostics diagnostics;
  CheckPolicy(policy_, diagnostics);
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity == Severity::kError) {
      return MakeError(ErrorCode::kInvalidInput,
                       diagnostic.message + (diagnostic.hint.empty() ? "" : " (" + diagnostic.hint + ")"));
    }
  }
  return policy_;
}

}  // namespace sysfence::policy
