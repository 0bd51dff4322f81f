// SPDX-License-Identifier: Apache-2.0
#include "policy/checks.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/action.h"
#include "policy/fs_access.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

std::optional<int> ParseIndexWord(std::string_view word) {
  if (word.size() < 4 || word.substr(0, 3) != "arg") return std::nullopt;
  int index = 0;
  for (char c : word.substr(3)) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + (c - '0');
    if (index > 1000) return index;  // large enough to be reported as out of range
  }
  return index;
}

std::string ArgumentNames(std::span<const syscalls::ArgInfo> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != 0) out += ", ";
    out += std::string(args[i].name);
  }
  return out;
}

std::string Hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

void CheckAction(const Action& action, const SourceSpan& span, std::string_view what, Diagnostics& diagnostics) {
  if (action.kind == ActionKind::kErrno) {
    if (auto problem = CheckErrnoValue(action.data)) {
      diagnostics.Error(span, std::string(what) + ": " + problem->message, problem->hint);
    }
  }
}

struct ConditionContext {
  const std::vector<std::string>* syscalls;
  const std::vector<Arch>* arches;
  const SourceSpan* span;
  Diagnostics* diagnostics;
};

void CheckCondition(const Condition& condition, const ConditionContext& context, int depth) {
  if (depth > 200) {
    context.diagnostics->Error(*context.span, "condition nested too deeply");
    return;
  }
  switch (condition.kind) {
    case Condition::Kind::kCompare: {
      const Comparison& compare = condition.compare;
      if (auto problem = CheckArgumentUse(compare.arg, *context.syscalls)) {
        context.diagnostics->Error(*context.span, problem->message, problem->hint);
        return;
      }
      const int width = ArgumentWidth(*context.arches, *context.syscalls, compare.arg);
      const std::string name = ArgumentDisplayName(compare.arg, *context.syscalls);
      if (!FitsArgumentWidth(compare.value, width)) {
        Problem problem = WidthProblem(compare.value, name, false);
        context.diagnostics->Error(*context.span, problem.message, problem.hint);
      }
      if (compare.op == CompareOp::kMaskedEq && !FitsArgumentWidth(compare.mask, width)) {
        Problem problem = WidthProblem(compare.mask, name, true);
        context.diagnostics->Error(*context.span, problem.message, problem.hint);
      }
      return;
    }
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr:
      if (condition.children.size() < 2) {
        context.diagnostics->Error(*context.span, "malformed condition: '&&' and '||' need two or more operands");
      }
      break;
    case Condition::Kind::kNot:
      if (condition.children.size() != 1) {
        context.diagnostics->Error(*context.span, "malformed condition: '!' needs exactly one operand");
      }
      break;
  }
  for (const Condition& child : condition.children) CheckCondition(child, context, depth + 1);
}

}  // namespace

std::optional<int> ResolveArgument(std::string_view word, const std::vector<std::string>& syscalls,
                                   Problem& problem) {
  if (auto index = ParseIndexWord(word)) return index;
  std::optional<int> found;
  std::string found_in;
  bool any_signature = false;
  for (const std::string& name : syscalls) {
    const std::span<const syscalls::ArgInfo> args = syscalls::ArgsOf(name);
    if (args.empty() && !syscalls::IsKnownName(name)) continue;
    any_signature = true;
    std::optional<int> here;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].name == word) here = static_cast<int>(i);
    }
    if (!here) {
      problem.message = "'" + std::string(word) + "' is not an argument of " + name;
      problem.hint = args.empty() ? name + " has no named arguments: use arg0..arg5"
                                  : name + " has: " + ArgumentNames(args) + " (or use arg0..arg5)";
      return std::nullopt;
    }
    if (found && *found != *here) {
      problem.message = "argument '" + std::string(word) + "' is arg" + std::to_string(*found) + " of " + found_in +
                        " but arg" + std::to_string(*here) + " of " + name;
      problem.hint = "split the rule, or name the argument by position (arg0..arg5)";
      return std::nullopt;
    }
    found = here;
    found_in = name;
  }
  if (!found) {
    problem.message = "unknown argument '" + std::string(word) + "'";
    problem.hint = any_signature ? "use arg0..arg5 or an argument name from the syscall's signature"
                                 : "the signature is unknown: use arg0..arg5";
    return std::nullopt;
  }
  return found;
}

std::optional<Problem> CheckArgumentUse(int index, const std::vector<std::string>& syscalls) {
  if (index < 0 || index > kMaxArgIndex) {
    return Problem{"argument index " + std::to_string(index) + " is out of range: seccomp sees arg0..arg5 only", ""};
  }
  for (const std::string& name : syscalls) {
    const std::span<const syscalls::ArgInfo> args = syscalls::ArgsOf(name);
    if (args.empty()) {
      // A known syscall without a recorded signature may still take arguments; only the ones
      // declared to take none are rejected.
      continue;
    }
    const auto position = static_cast<size_t>(index);
    if (position >= args.size()) {
      return Problem{name + " has only " + std::to_string(args.size()) + " argument" +
                         (args.size() == 1 ? " (arg0)" : "s (arg0..arg" + std::to_string(args.size() - 1) + ")"),
                     name + " has: " + ArgumentNames(args)};
    }
    if (args[position].kind == syscalls::ArgKind::kPointer) {
      return Problem{"argument '" + std::string(args[position].name) + "' (arg" + std::to_string(index) + ") of " +
                         name + " is a pointer: a filter sees only the address, not the data it points to",
                     "restrict paths with 'fs' rules (Landlock) instead"};
    }
  }
  return std::nullopt;
}

int ArgumentWidth(const std::vector<Arch>& arches, const std::vector<std::string>& syscalls, int index) {
  int width = 64;
  for (Arch arch : arches) {
    for (const std::string& name : syscalls) {
      if (!syscalls::NumberOf(arch, name)) continue;
      width = std::min(width, syscalls::ArgWidthBits(arch, name, index));
    }
  }
  return width;
}

bool FitsArgumentWidth(uint64_t value, int width_bits) {
  if (width_bits >= 64) return true;
  return value <= 0xffffffffu || (value >> 31) == 0x1ffffffffu;
}

Problem WidthProblem(uint64_t value, std::string_view argument, bool is_mask) {
  return Problem{std::string(is_mask ? "mask " : "value ") + Hex(value) + " does not fit the 32-bit argument '" +
                     std::string(argument) + "'",
                 "a 32-bit argument takes 0..0xffffffff or a negative number down to -2147483648; the kernel "
                 "ignores its upper half"};
}

std::string ArgumentDisplayName(int index, const std::vector<std::string>& syscalls) {
  const std::string fallback = "arg" + std::to_string(index);
  std::string_view common;
  for (const std::string& name : syscalls) {
    const std::span<const syscalls::ArgInfo> args = syscalls::ArgsOf(name);
    if (index < 0 || static_cast<size_t>(index) >= args.size()) return fallback;
    if (!common.empty() && common != args[static_cast<size_t>(index)].name) return fallback;
    common = args[static_cast<size_t>(index)].name;
  }
  if (common.empty() || ParseIndexWord(common) || common == "in" || common == "if" || common == "on") return fallback;
  Problem ignored;
  const std::optional<int> back = ResolveArgument(common, syscalls, ignored);
  return back && *back == index ? std::string(common) : fallback;
}

std::optional<Problem> CheckErrnoValue(uint64_t value) {
  if (value < 1 || value > kMaxErrno) {
    return Problem{"errno " + std::to_string(value) + " is out of range 1..4095",
                   "use an errno name such as EPERM or ENOSYS, or a number from 1 to 4095"};
  }
  return std::nullopt;
}

void CheckPolicy(const Policy& policy, Diagnostics& diagnostics) {
  SourceSpan policy_span = policy.default_span;
  if (policy.arches.empty()) {
    diagnostics.Error(policy_span, "the policy lists no ABI", "add an 'arch' statement, e.g. 'arch x86_64'");
  }
  std::set<Arch> seen;
  for (Arch arch : policy.arches) {
    if (!seen.insert(arch).second) {
      diagnostics.Error(policy_span, "ABI " + std::string(ArchName(arch)) + " is listed twice");
    }
  }
  CheckAction(policy.default_action, policy.default_span, "default", diagnostics);
  CheckAction(policy.badarch_action, policy.badarch_span, "badarch", diagnostics);
  for (const Rule& rule : policy.rules) {
    CheckAction(rule.action, rule.span, "rule", diagnostics);
    if (rule.targets.empty()) diagnostics.Error(rule.span, "rule names no syscall");
    for (const std::string& target : rule.targets) {
      if (!target.empty() && target.front() == '@') {
        if (!syscalls::FindGroup(target)) diagnostics.Error(rule.span, "unknown group '" + target + "'");
      } else if (!syscalls::IsKnownName(target)) {
        diagnostics.Error(rule.span, "unknown syscall '" + target + "'");
      }
    }
    for (Arch arch : rule.only_arches) {
      if (std::find(policy.arches.begin(), policy.arches.end(), arch) == policy.arches.end()) {
        diagnostics.Error(rule.span, "rule is restricted to " + std::string(ArchName(arch)) +
                                         ", which the policy does not list");
      }
    }
    if (rule.condition) {
      const std::vector<std::string> syscalls = ExpandTargets(rule);
      const std::vector<Arch> arches = RuleArches(policy, rule);
      CheckCondition(*rule.condition, ConditionContext{&syscalls, &arches, &rule.span, &diagnostics}, 0);
    }
  }
  for (const FsRule& fs : policy.fs_rules) {
    if (fs.access == 0) diagnostics.Error(fs.span, "fs rule grants no access right");
    if ((fs.access & ~kFsAllAccess) != 0) diagnostics.Error(fs.span, "fs rule has unknown access bits");
    if (fs.paths.empty()) diagnostics.Error(fs.span, "fs rule names no path");
    for (const std::string& path : fs.paths) {
      if (path.empty() || path.front() != '/') {
        diagnostics.Error(fs.span, "fs path '" + path + "' is not absolute");
      }
    }
  }
}

}  // namespace sysfence::policy
