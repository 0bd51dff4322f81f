// SPDX-License-Identifier: Apache-2.0
#include "policy/checks.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/action.h"
#include "policy/arguments.h"
#include "policy/fs_access.h"
#include "policy/privileges.h"
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

std::string Abi(Arch arch) { return std::string(ArchName(arch)); }

// Why `arch`'s signature of `syscall` differs from the generic (x86_64) one, or "" when it does not.
std::string AbiNote(Arch arch, const std::string& syscall) {
  const std::span<const syscalls::ArgInfo> generic = syscalls::ArgsOf(syscall);
  const std::span<const syscalls::ArgInfo> here = syscalls::ArgsOfOn(arch, syscall);
  if (here.data() == generic.data() && here.size() == generic.size()) return "";
  if (here.size() == 1 && here[0].kind == syscalls::ArgKind::kPointer && generic.size() > 1) {
    return "on " + Abi(arch) + " " + syscall + " takes one pointer (" + std::string(here[0].type) +
           "): its arguments sit in memory, which seccomp cannot read";
  }
  if (here.size() < generic.size()) {
    const syscalls::ArgInfo& pair = generic[here.size()];
    return "on " + Abi(arch) + " " + syscall + "'s '" + std::string(pair.name) + "' (" + std::string(pair.type) +
           ") takes a register pair, so neither it nor a later argument sits in one register a filter can compare";
  }
  return "on " + Abi(arch) + " " + syscall + " takes (" + ArgumentNames(here) + ")";
}

// How to get around an argument `arch` cannot check.
std::string AbiHint(Arch arch, const std::string& syscall) {
  std::string hint = "restrict the rule to the other ABIs with 'on', or drop " + Abi(arch) + " from the arch line";
  if (syscall == "mmap" && arch == Arch::kX86) hint = "use mmap2 there (its arguments are in registers), " + hint;
  return hint;
}

// The problem with argument `index` (`word` as written, a name when `named`) of `syscall` whose
// signature (on `arch`, or the generic one when `arch` is empty) is `args`, if any.
std::optional<Problem> CheckPosition(int index, std::string_view word, bool named, const std::string& syscall,
                                     std::span<const syscalls::ArgInfo> args, std::optional<Arch> arch) {
  const std::string note = arch ? AbiNote(*arch, syscall) : "";
  const std::string where = note.empty() ? "" : " on " + Abi(*arch);
  const auto position = static_cast<size_t>(index);
  if (position >= args.size()) {
    if (!note.empty() && named) {
      return Problem{"argument '" + std::string(word) + "' of " + syscall + " cannot be checked" + where + ": " + note,
                     AbiHint(*arch, syscall)};
    }
    return Problem{syscall + " has only " + std::to_string(args.size()) + " argument" +
                       (args.size() == 1 ? " (arg0)" : "s (arg0..arg" + std::to_string(args.size() - 1) + ")") + where,
                   note.empty() ? syscall + " has: " + ArgumentNames(args) : note + "; " + AbiHint(*arch, syscall)};
  }
  if (args[position].kind == syscalls::ArgKind::kPointer) {
    return Problem{"argument '" + std::string(args[position].name) + "' (arg" + std::to_string(index) + ") of " +
                       syscall + where + " is a pointer: a filter sees only the address, not the data it points to",
                   note.empty() ? "restrict paths with 'fs' rules (Landlock) instead"
                                : note + "; " + AbiHint(*arch, syscall)};
  }
  return std::nullopt;
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
      if (auto problem = CheckArgumentUseOn(compare, *context.syscalls, *context.arches)) {
        context.diagnostics->Error(*context.span, problem->message, problem->hint);
        return;
      }
      const int width = ArgumentWidthOf(*context.arches, *context.syscalls, compare);
      const std::string name =
          compare.arg_name.empty() ? ArgumentDisplayName(compare.arg, *context.syscalls) : compare.arg_name;
      if (!FitsArgumentWidth(compare.value, width)) {
        Problem problem = WidthProblem(compare.value, name, false, width);
        context.diagnostics->Error(*context.span, problem.message, problem.hint);
      }
      if (compare.op == CompareOp::kMaskedEq && !FitsArgumentWidth(compare.mask, width)) {
        Problem problem = WidthProblem(compare.mask, name, true, width);
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

std::optional<Problem> CheckArgumentUseOn(const Comparison& compare, const std::vector<std::string>& syscalls,
                                          const std::vector<Arch>& arches) {
  const bool named = !compare.arg_name.empty();
  if (!named) {
    if (compare.arg < 0 || compare.arg > kMaxArgIndex) return CheckArgumentUse(compare.arg, syscalls);
  }
  const std::string word = named ? compare.arg_name : "arg" + std::to_string(compare.arg);
  for (const std::string& name : syscalls) {
    const std::span<const syscalls::ArgInfo> generic = syscalls::ArgsOf(name);
    // A known syscall without a recorded signature may still take arguments.
    if (generic.empty()) continue;
    bool on_some_abi = false;
    for (Arch arch : arches) {
      if (!syscalls::NumberOf(arch, name)) continue;
      on_some_abi = true;
      const std::span<const syscalls::ArgInfo> args = syscalls::ArgsOfOn(arch, name);
      int index = compare.arg;
      if (named) {
        const std::optional<int> position = NamedArgumentPosition(compare.arg_name, arch, name);
        if (!position) {
          // Past the ABI's last argument: reported as such, with why the ABI lacks it.
          index = static_cast<int>(args.size());
          if (std::none_of(generic.begin(), generic.end(),
                           [&](const syscalls::ArgInfo& a) { return a.name == compare.arg_name; })) {
            return Problem{"'" + word + "' is not an argument of " + name,
                           name + " has: " + ArgumentNames(generic) + " (or use arg0..arg5)"};
          }
        } else {
          index = *position;
        }
      }
      if (auto problem = CheckPosition(index, word, named, name, args, arch)) return problem;
    }
    if (!on_some_abi) {
      // The rule never applies to it (a warning elsewhere); judge it by its generic signature.
      std::optional<int> index = compare.arg;
      if (named) {
        index.reset();
        for (size_t i = 0; i < generic.size(); ++i) {
          if (generic[i].name == compare.arg_name) index = static_cast<int>(i);
        }
        if (!index) {
          return Problem{"'" + word + "' is not an argument of " + name,
                         name + " has: " + ArgumentNames(generic) + " (or use arg0..arg5)"};
        }
      }
      if (auto problem = CheckPosition(*index, word, named, name, generic, std::nullopt)) return problem;
    }
  }
  return std::nullopt;
}

int ArgumentWidthOf(const std::vector<Arch>& arches, const std::vector<std::string>& syscalls,
                    const Comparison& compare) {
  int width = 64;
  for (Arch arch : arches) {
    for (const std::string& name : syscalls) {
      if (!syscalls::NumberOf(arch, name)) continue;
      const std::optional<int> position = ArgumentPositionOn(compare, arch, name);
      if (!position) continue;
      width = std::min(width, syscalls::ArgWidthBits(arch, name, *position));
    }
  }
  return width;
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
  return value <= WidthMask(width_bits) || (value >> (width_bits - 1)) == WidthMask(65 - width_bits);
}

Problem WidthProblem(uint64_t value, std::string_view argument, bool is_mask, int width_bits) {
  const std::string bits = std::to_string(width_bits);
  std::string hint = width_bits == 32 ? "a 32-bit argument takes 0..0xffffffff or a negative number down to "
                                        "-2147483648; the kernel ignores its upper half"
                                      : "a " + bits + "-bit argument takes 0.." + Hex(WidthMask(width_bits)) +
                                            " or a negative number down to -" +
                                            std::to_string(uint64_t{1} << (width_bits - 1)) +
                                            "; the kernel ignores the bits above";
  return Problem{std::string(is_mask ? "mask " : "value ") + Hex(value) + " does not fit the " + bits +
                     "-bit argument '" + std::string(argument) + "'",
                 std::move(hint)};
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

std::string ArgumentDisplayName(int index, const std::vector<std::string>& syscalls, const std::vector<Arch>& arches) {
  const std::string fallback = "arg" + std::to_string(index);
  std::string_view common;
  for (Arch arch : arches) {
    for (const std::string& syscall : syscalls) {
      if (!syscalls::NumberOf(arch, syscall)) continue;
      const std::span<const syscalls::ArgInfo> args = syscalls::ArgsOfOn(arch, syscall);
      if (index < 0 || static_cast<size_t>(index) >= args.size()) return fallback;
      const std::string_view name = args[static_cast<size_t>(index)].name;
      if (!common.empty() && common != name) return fallback;
      common = name;
    }
  }
  if (common.empty()) return ArgumentDisplayName(index, syscalls);  // no ABI of the rule has them
  if (ParseIndexWord(common) || common == "in" || common == "if" || common == "on") return fallback;
  // The parser must accept it (a name of every syscall's signature, at one position there); it then
  // resolves it per ABI, to `index` on each by construction.
  Problem ignored;
  return ResolveArgument(common, syscalls, ignored) ? std::string(common) : fallback;
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
  CheckPrivileges(policy, diagnostics);
}

}  // namespace sysfence::policy
