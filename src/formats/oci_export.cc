// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_export.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "formats/condition_dnf.h"
#include "formats/oci_names.h"
#include "policy/arguments.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;

// One exported rule of one syscall.
struct Entry {
  Action action;
  Cube cube;
  std::string comment;
  friend bool operator==(const Entry& a, const Entry& b) {
    return a.action == b.action && a.cube == b.cube && a.comment == b.comment;
  }
};

std::string ArchList(const std::vector<Arch>& arches) {
  std::string out;
  for (Arch arch : arches) out += (out.empty() ? "" : ", ") + std::string(ArchName(arch));
  return out;
}

ArgWidths WidthsOf(std::string_view name, const std::vector<Arch>& arches) {
  ArgWidths widths;
  widths.native_32 = std::none_of(arches.begin(), arches.end(), [](Arch a) { return GetArchInfo(a).is_64bit; });
  for (int i = 0; i < 6; ++i) {
    // One width when every ABI agrees; 64 (all the bits) otherwise, which CheckMixedWidths allows
    // only where it means the same.
    const int first = syscalls::ArgWidthBits(arches.front(), name, i);
    const bool same = std::all_of(arches.begin(), arches.end(),
                                  [&](Arch a) { return syscalls::ArgWidthBits(a, name, i) == first; });
    widths.bits[static_cast<size_t>(i)] = same ? first : 64;
  }
  return widths;
}

// The rules of one syscall, in first-match order, turned into disjoint (between actions) cubes.
Result<std::vector<Entry>> LowerSyscall(const policy::Policy& policy, const std::vector<int>& rule_indexes,
                                        const ArgWidths& widths) {
  std::vector<Entry> entries;
  // Conditions of earlier rules, each with its action, that block later rules of other actions.
  std::vector<std::pair<Action, Dnf>> earlier;
  for (int index : rule_indexes) {
    const policy::Rule& rule = policy.rules[static_cast<size_t>(index)];
    Dnf condition{Cube{}};
    if (rule.condition) {
      auto dnf = ToDnf(*rule.condition, false, widths);
      if (!dnf.ok()) return dnf.error();
      condition = std::move(*dnf);
    }
    Dnf effective = condition;
    for (const auto& [action, blocker] : earlier) {
      if (action == rule.action || effective.empty()) continue;
      auto negated = NotDnf(blocker, widths);
      if (!negated.ok()) return negated.error();
      auto conjunction = AndDnf(effective, *negated, widths);
      if (!conjunction.ok()) return conjunction.error();
      effective = std::move(*conjunction);
    }
    earlier.emplace_back(rule.action, condition);
    // Normalized cubes are satisfiable, so a true `effective` means every other action's cubes
    // are empty: this rule decides everything still undecided, alone and without arguments.
    const bool decides_rest = std::any_of(effective.begin(), effective.end(), [](const Cube& c) { return c.empty(); });
    if (decides_rest) {
      entries.clear();
      if (rule.action != policy.default_action) entries.push_back(Entry{rule.action, {}, rule.comment});
      break;
    }
    if (rule.action != policy.default_action) {
      for (const Cube& cube : effective) entries.push_back(Entry{rule.action, cube, rule.comment});
    }
    if (!rule.condition) break;  // later rules are unreachable
  }
  return entries;
}

bool Wide(const Comparison& c) {
  return c.value > 0xffffffffu || (c.op == CompareOp::kMaskedEq && c.mask > 0xffffffffu);
}

void CollectComparisons(const policy::Condition& condition, std::vector<Comparison>& out) {
  if (condition.kind == policy::Condition::Kind::kCompare) out.push_back(condition.compare);
  for (const policy::Condition& child : condition.children) CollectComparisons(child, out);
}

// An argument 64 bits wide on one ABI and 32 on another (a long on x86_64 and x86) can share one
// profile rule only when every value involved fits in 32 bits: then the 32-bit ABI (whose arguments
// have no high half) and libseccomp's low-half comparison there agree with the 64-bit reading.
Result<void> CheckMixedWidths(const policy::Policy& policy, const std::string& name, const std::vector<Arch>& arches,
                              const std::vector<int>& rule_indexes, const std::vector<Entry>& entries) {
  for (int arg = 0; arg < 6; ++arg) {
    std::optional<Arch> wide, narrow, narrowest;
    for (Arch arch : arches) {
      const int bits = syscalls::ArgWidthBits(arch, name, arg);
      (bits == 64 ? wide : narrow) = arch;
      if (bits < 32) narrowest = arch;
    }
    std::vector<Comparison> used;
    for (int index : rule_indexes) {
      const auto& condition = policy.rules[static_cast<size_t>(index)].condition;
      if (condition) CollectComparisons(*condition, used);
    }
    for (const Entry& entry : entries) used.insert(used.end(), entry.cube.begin(), entry.cube.end());
    if (narrowest && std::any_of(arches.begin(), arches.end(), [&](Arch a) {
          return syscalls::ArgWidthBits(a, name, arg) != syscalls::ArgWidthBits(*narrowest, name, arg);
        })) {
      // A 16-bit id on x86 (setuid16) and a 32-bit one on x86_64: no one comparison means both.
      if (std::any_of(used.begin(), used.end(), [&](const Comparison& c) { return c.arg == arg; })) {
        return MakeError(ErrorCode::kUnsupported,
                         "'" + name + "': argument " + std::to_string(arg) + " is " +
                             std::to_string(syscalls::ArgWidthBits(*narrowest, name, arg)) + " bits wide on " +
                             std::string(ArchName(*narrowest)) +
                             " but not on every other ABI; one profile cannot compare it for all: export the ABIs "
                             "separately (--arch)");
      }
      continue;
    }
    if (!wide || !narrow) continue;
    for (const Comparison& c : used) {
      if (c.arg == arg && Wide(c)) {
        return MakeError(ErrorCode::kUnsupported,
                         "'" + name + "': argument " + std::to_string(arg) + " is 64 bits wide on " +
                             std::string(ArchName(*wide)) + " but 32 on " + std::string(ArchName(*narrow)) +
                             ", and a comparison needs values of 2^32 or more; one profile cannot say it for both: "
                             "export the 32-bit and 64-bit ABIs separately (--arch)");
      }
    }
  }
  return Ok();
}

OciArg ToArg(const Comparison& c) {
  if (c.op == CompareOp::kMaskedEq) return OciArg{c.arg, c.mask, c.value, CompareOp::kMaskedEq};
  return OciArg{c.arg, c.value, 0, c.op};
}

// Syscall name -> per ABI the indexes of the rules naming it, in order.
using Mentions = std::map<std::string, std::map<Arch, std::vector<int>>>;
// Exported entries and the syscalls that share them.
using EntryGroups = std::vector<std::pair<std::vector<Entry>, std::vector<std::string>>>;

// Warnings for what the policy says and a profile cannot: Landlock rules, the bad-arch action,
// a notify listener.
void WarnAboutWhatProfilesCannotSay(const policy::Policy& policy, Diagnostics& diagnostics) {
  if (!policy.fs_rules.empty() || !policy.net_rules.empty()) {
    diagnostics.Warning({}, "fs and net rules (Landlock) have no place in a seccomp profile; they are not exported");
  }
  const ActionKind badarch = policy.badarch_action.kind;
  if (badarch != ActionKind::kKillProcess && badarch != ActionKind::kKillThread) {
    diagnostics.Warning({}, "the bad-arch action '" + policy.badarch_action.ToString() +
                                "' cannot be expressed; runtimes kill the thread for other ABIs");
  }
  if (policy.default_action.kind == ActionKind::kTrap && policy.default_action.data != 0) {
    diagnostics.Warning(policy.default_span, "SCMP_ACT_TRAP carries no data in a profile; the default trap(" +
                                                 std::to_string(policy.default_action.data) + ") is exported as trap");
  }
  const bool notifies = policy.default_action.kind == ActionKind::kNotify ||
                        std::any_of(policy.rules.begin(), policy.rules.end(),
                                    [](const policy::Rule& r) { return r.action.kind == ActionKind::kNotify; });
  if (notifies) {
    diagnostics.Warning({}, "SCMP_ACT_NOTIFY needs a listenerPath in the runtime configuration, which the "
                            "profile does not carry");
  }
}

// Which rules name each syscall on each ABI (warning once about trap data, which profiles drop).
Result<Mentions> CollectMentions(const policy::Policy& policy, Diagnostics& diagnostics) {
  Mentions mentions;
  bool trap_warned = false;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const policy::Rule& rule = policy.rules[i];
    if (rule.action.kind == ActionKind::kTrap && rule.action.data != 0 && !trap_warned) {
      trap_warned = true;
      diagnostics.Warning(rule.span, "SCMP_ACT_TRAP carries no data in a profile; trap(" +
                                         std::to_string(rule.action.data) + ") is exported as trap");
    }
    for (const std::string& name : policy::ExpandTargets(rule)) {
      if (!syscalls::IsKnownName(name)) {
        return MakeError(ErrorCode::kInvalidInput, "unknown syscall '" + name + "' in " + rule.span.ToString());
      }
      for (Arch arch : policy.arches) {
        if (!syscalls::NumberOf(arch, name)) continue;
        auto& list = mentions[name][arch];
        if (policy::RuleAppliesToArch(rule, arch)) list.push_back(static_cast<int>(i));
      }
    }
  }
  return mentions;
}

// The policy with the named arguments of `rules` (those naming `name`) as positions, in `resolved`
// when any needs it: a profile has one rule for all its ABIs, so a name must sit at one position on
// all of them (clone_flags does not with s390x). Returns the policy to lower.
Result<const policy::Policy*> WithArgumentPositions(const policy::Policy& policy, const std::string& name,
                                                    const std::vector<int>& rules, const std::vector<Arch>& arches,
                                                    policy::Policy& resolved) {
  if (std::none_of(rules.begin(), rules.end(), [&](int index) {
        const auto& condition = policy.rules[static_cast<size_t>(index)].condition;
        return condition && policy::HasNamedArguments(*condition);
      })) {
    return &policy;
  }
  resolved = policy;
  for (int index : rules) {
    auto& condition = resolved.rules[static_cast<size_t>(index)].condition;
    if (!condition || !policy::HasNamedArguments(*condition)) continue;
    policy::Condition positions = policy::ResolveArgumentsOn(*condition, arches.front(), name);
    for (Arch arch : arches) {
      if (policy::HasNamedArguments(positions) || !(policy::ResolveArgumentsOn(*condition, arch, name) == positions)) {
        const std::string where = policy.rules[static_cast<size_t>(index)].span.ToString();
        return MakeError(ErrorCode::kUnsupported,
                         "'" + name + "': an argument named in " + where + " sits at different positions on " +
                             ArchList(arches) +
                             "; an OCI profile cannot say it for all of them: export each ABI separately (--arch)");
      }
    }
    condition = std::move(positions);
  }
  return &resolved;
}

// Groups syscalls whose exported entries are the same.
Result<EntryGroups> GroupEntries(const policy::Policy& policy, const Mentions& mentions) {
  EntryGroups groups;
  for (const auto& [name, per_arch] : mentions) {
    const std::vector<int>& first = per_arch.begin()->second;
    std::vector<Arch> arches;
    for (const auto& [arch, list] : per_arch) {
      arches.push_back(arch);
      if (list != first) {
        return MakeError(ErrorCode::kUnsupported,
                         "the rules for '" + name + "' differ between ABIs (" + ArchList(policy.arches) +
                             "); an OCI profile cannot restrict a rule to some ABIs: export each ABI separately");
      }
    }
    policy::Policy resolved;
    Result<const policy::Policy*> source = WithArgumentPositions(policy, name, first, arches, resolved);
    if (!source.ok()) return source.error();
    auto entries = LowerSyscall(**source, first, WidthsOf(name, arches));
    if (!entries.ok()) return MakeError(entries.error().code, "'" + name + "': " + entries.error().message);
    if (auto mixed = CheckMixedWidths(**source, name, arches, first, *entries); !mixed.ok()) return mixed.error();
    if (entries->empty()) continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == *entries; });
    if (group == groups.end()) groups.push_back({std::move(*entries), {name}});
    else group->second.push_back(name);
  }
  // Unconditional groups first (by action), then the rest by their first syscall name.
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    const bool a_plain = a.first.size() == 1 && a.first[0].cube.empty();
    const bool b_plain = b.first.size() == 1 && b.first[0].cube.empty();
    if (a_plain != b_plain) return a_plain;
    if (a_plain) {
      const Action& x = a.first[0].action;
      const Action& y = b.first[0].action;
      if (x.kind != y.kind) return static_cast<int>(x.kind) > static_cast<int>(y.kind);  // allow first
      if (x.data != y.data) return x.data < y.data;
      if (a.first[0].comment != b.first[0].comment) return a.first[0].comment < b.first[0].comment;
    }
    return a.second.front() < b.second.front();
  });
  return groups;
}

}  // namespace

Result<OciProfile> LowerToOci(const policy::Policy& policy, Diagnostics& diagnostics) {
  OciProfile profile;
  profile.default_action = policy.default_action;
  profile.arches = policy.arches;
  profile.flags = policy.flags;
  WarnAboutWhatProfilesCannotSay(policy, diagnostics);
  Result<Mentions> mentions = CollectMentions(policy, diagnostics);
  if (!mentions.ok()) return mentions.error();
  Result<EntryGroups> groups = GroupEntries(policy, *mentions);
  if (!groups.ok()) return groups.error();
  for (const auto& [entries, names] : *groups) {
    for (const Entry& entry : entries) {
      OciRule rule;
      rule.names = names;
      rule.action = entry.action;
      rule.comment = entry.comment;
      for (const Comparison& c : entry.cube) rule.args.push_back(ToArg(c));
      profile.rules.push_back(std::move(rule));
    }
  }
  return profile;
}

std::string WriteDockerJson(const OciProfile& profile) {
  nlohmann::ordered_json root;
  root["defaultAction"] = std::string(OciActionSpelling(profile.default_action));
  const ActionKind kind = profile.default_action.kind;
  if (kind == ActionKind::kErrno || kind == ActionKind::kTrace) root["defaultErrnoRet"] = profile.default_action.data;
  auto arches = nlohmann::ordered_json::array();
  for (Arch arch : profile.arches) arches.push_back(std::string(OciArchSpelling(arch)));
  root["architectures"] = arches;
  if (!profile.flags.empty()) root["flags"] = profile.flags;
  auto syscalls = nlohmann::ordered_json::array();
  for (const OciRule& rule : profile.rules) {
    nlohmann::ordered_json entry;
    entry["names"] = rule.names;
    entry["action"] = std::string(OciActionSpelling(rule.action));
    if (rule.action.kind == ActionKind::kErrno || rule.action.kind == ActionKind::kTrace) {
      entry["errnoRet"] = rule.action.data;
    }
    if (!rule.args.empty()) {
      auto args = nlohmann::ordered_json::array();
      for (const OciArg& arg : rule.args) {
        nlohmann::ordered_json a;
        a["index"] = arg.index;
        a["value"] = arg.value;
        if (arg.op == policy::CompareOp::kMaskedEq) a["valueTwo"] = arg.value_two;
        a["op"] = std::string(OciOpName(arg.op));
        args.push_back(a);
      }
      entry["args"] = args;
    }
    if (!rule.comment.empty()) entry["comment"] = rule.comment;
    syscalls.push_back(entry);
  }
  root["syscalls"] = syscalls;
  return root.dump(2) + "\n";
}

Result<std::string> ExportOciJson(const policy::Policy& policy, Diagnostics& diagnostics) {
  auto profile = LowerToOci(policy, diagnostics);
  if (!profile.ok()) return profile.error();
  return WriteDockerJson(*profile);
}

}  // namespace sysfence::formats
