// SPDX-License-Identifier: Apache-2.0
#include "record/generate.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <string_view>

#include "fmt/format.h"
#include "policy/amend.h"
#include "policy/printer.h"
#include "record/interesting_args.h"
#include "record/syscall_facts.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

constexpr std::string_view kPreferredGroups[] = {"@process", "@signal", "@memory", "@file-system",
                                                 "@network-io", "@ipc", "@time"};

// name -> group, built once from the tables.
const std::map<std::string, std::string, std::less<>>& GroupIndex() {
  static const auto* index = [] {
    auto* map = new std::map<std::string, std::string, std::less<>>();
    auto file_group = [&](const syscalls::Group& group) {
      for (std::string_view member : syscalls::ExpandGroup(group)) map->try_emplace(std::string(member), group.name);
    };
    for (std::string_view name : kPreferredGroups) {
      if (const syscalls::Group* group = syscalls::FindGroup(name)) file_group(*group);
    }
    for (const syscalls::Group& group : syscalls::AllGroups()) {
      if (group.name != "@default") file_group(group);
    }
    return map;
  }();
  return *index;
}

int GroupRank(std::string_view group) {
  for (size_t i = 0; i < std::size(kPreferredGroups); ++i) {
    if (kPreferredGroups[i] == group) return static_cast<int>(i);
  }
  return group == "other" ? 1000 : 100;
}

bool ExistsOn(Arch arch, std::string_view name) { return syscalls::NumberOf(arch, name).has_value(); }

// The policy arches on which `name` exists; empty when on none.
std::vector<Arch> ArchesHaving(const std::vector<Arch>& arches, std::string_view name) {
  std::vector<Arch> having;
  for (Arch arch : arches) {
    if (ExistsOn(arch, name)) having.push_back(arch);
  }
  return having;
}

// Rules restricted to a subset of ABIs name it; rules for all ABIs leave only_arches empty.
std::vector<Arch> Restriction(const std::vector<Arch>& all, const std::vector<Arch>& subset) {
  return subset.size() == all.size() ? std::vector<Arch>{} : subset;
}

// `value` in the argument's constants ("PROT_READ|PROT_WRITE") when every part is a constant the
// policy language knows and together they make exactly `value`; "" (print the number) otherwise.
std::string SymbolicSpelling(const InterestingArg& info, uint64_t value) {
  if (info.family.empty()) return {};
  const std::string text = DescribeValue(info.family, info.flags, value);
  uint64_t combined = 0;
  for (size_t start = 0; start <= text.size();) {
    const size_t bar = std::min(text.find('|', start), text.size());
    const syscalls::Constant* constant = syscalls::FindConstant(std::string_view(text).substr(start, bar - start));
    if (constant == nullptr) return {};
    combined |= constant->value;
    start = bar + 1;
  }
  return combined == value ? text : std::string();
}

policy::Condition Compare(const InterestingArg& info, uint64_t value) {
  policy::Condition condition;
  condition.kind = policy::Condition::Kind::kCompare;
  condition.compare.arg = info.index;
  condition.compare.op = policy::CompareOp::kEq;
  condition.compare.value = value;
  condition.compare.value_spelling = SymbolicSpelling(info, value);
  return condition;
}

policy::Condition Combine(policy::Condition::Kind kind, std::vector<policy::Condition> children) {
  if (children.size() == 1) return std::move(children.front());
  policy::Condition condition;
  condition.kind = kind;
  condition.children = std::move(children);
  return condition;
}

// Everything seen of one syscall name, over every ABI it was seen on.
struct Seen {
  std::vector<Arch> arches;
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t processes = 0;
  bool startup_only = true;
  std::map<int, ArgValues> args;
};

std::string Evidence(const std::string& name, const Seen& seen, const Profile& profile,
                     const std::vector<const InterestingArg*>& conditioned) {
  std::string text = fmt::format("{}: {} call{}", GroupFor(name), seen.count, seen.count == 1 ? "" : "s");
  if (profile.errors_known && seen.errors != 0) text += fmt::format(", {} failed", seen.errors);
  if (profile.process_images > 1) {
    text += fmt::format(", {} of {} processes", seen.processes, profile.process_images);
  }
  if (seen.startup_only) text += ", start-up only";
  const auto signature = syscalls::ArgsOf(name);
  for (const InterestingArg& info : InterestingArgsOf(name)) {
    auto it = seen.args.find(info.index);
    if (it == seen.args.end() || it->second.values.empty()) continue;
    const std::string arg_name = static_cast<size_t>(info.index) < signature.size()
                                     ? std::string(signature[info.index].name)
                                     : fmt::format("arg{}", info.index);
    std::vector<std::string> names;
    for (uint64_t value : it->second.values) names.push_back(DescribeValue(info.family, info.flags, value));
    const bool is_condition =
        std::find(conditioned.begin(), conditioned.end(), &info) != conditioned.end();
    text += fmt::format("; {} {}{}{}", arg_name, is_condition ? "" : "seen ", fmt::join(names, ", "),
                        it->second.overflow ? ", …" : "");
  }
  return text;
}

std::vector<policy::FsRule> FsRulesFrom(const Profile& profile) {
  std::map<std::string, uint32_t> access = profile.paths;
  for (const std::string& exe : profile.executables) access[exe] |= policy::kFsExecute | policy::kFsReadFile;
  // Collapse a folder's files into the folder when more than four of them share the same access.
  std::map<std::pair<std::string, uint32_t>, std::vector<std::string>> by_folder;
  for (const auto& [path, bits] : access) {
    const size_t slash = path.rfind('/');
    const std::string folder = slash == 0 ? "/" : path.substr(0, slash == std::string::npos ? 0 : slash);
    by_folder[{folder, bits}].push_back(path);
  }
  std::map<uint32_t, std::set<std::string>> rules;
  for (const auto& [key, paths] : by_folder) {
    if (paths.size() > 4 && !key.first.empty()) {
      rules[key.second].insert(key.first);
    } else {
      rules[key.second].insert(paths.begin(), paths.end());
    }
  }
  std::vector<policy::FsRule> out;
  for (const auto& [bits, paths] : rules) {
    if (bits == 0 || paths.empty()) continue;
    policy::FsRule rule;
    rule.access = bits;
    rule.paths.assign(paths.begin(), paths.end());
    out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

std::string GroupFor(std::string_view name) {
  const auto& index = GroupIndex();
  auto it = index.find(name);
  return it == index.end() ? "other" : it->second;
}

std::string RenderGeneratedPolicy(const Profile& profile, const policy::Policy& policy) {
  std::string command;
  for (const std::string& word : profile.command) command += (command.empty() ? "" : " ") + word;
  if (command.empty() && profile.attached_pid != 0) command = fmt::format("pid {}", profile.attached_pid);
  std::string header = fmt::format("# Generated by `sysfence record` from: {}\n", command.empty() ? "(merged)" : command);
  header += fmt::format("# {} recording{}, {} backend, Linux {}. Review before use: a recording proves only the\n",
                        profile.recordings, profile.recordings == 1 ? "" : "s", profile.backend, profile.kernel_release);
  header += "# paths this run took (see the coverage report).\n";
  return header + policy::PrintPolicy(policy);
}

std::vector<std::string> UnnamedSyscalls(const Profile& profile) {
  std::vector<std::string> unnamed;
  for (const SyscallRecord& record : profile.syscalls) {
    if (!syscalls::IsKnownName(record.name)) {
      unnamed.push_back(fmt::format("{} nr {}", ArchName(record.arch), record.number));
    }
  }
  return unnamed;
}

policy::Policy GeneratePolicy(const Profile& profile, const GenerateOptions& options) {
  policy::Policy result;
  std::set<Arch> arch_set{profile.native_arch};
  for (const SyscallRecord& record : profile.syscalls) arch_set.insert(record.arch);
  result.arches.assign(arch_set.begin(), arch_set.end());
  result.default_action = options.default_action;
  result.badarch_action = Action::KillProcess();

  std::map<std::string, Seen> seen;
  for (const SyscallRecord& record : profile.syscalls) {
    if (!syscalls::IsKnownName(record.name)) continue;
    Seen& entry = seen[record.name];
    entry.arches.push_back(record.arch);
    entry.count += record.count;
    entry.errors += record.errors;
    entry.processes += record.processes;
    entry.startup_only = entry.startup_only && record.startup_only;
    for (const auto& [index, values] : record.args) entry.args[index].Merge(values);
  }
  for (auto& [name, entry] : seen) std::sort(entry.arches.begin(), entry.arches.end());

  // 1. What every program needs, and the vDSO fallbacks, where the recording did not see them.
  auto add_unseen = [&](std::span<const std::string_view> names, const std::string& why) {
    std::map<std::vector<Arch>, std::vector<std::string>> by_arches;
    for (std::string_view name : names) {
      if (seen.count(std::string(name)) != 0) continue;
      auto having = ArchesHaving(result.arches, name);
      if (having.empty()) continue;
      by_arches[Restriction(result.arches, having)].emplace_back(name);
    }
    for (auto& [only, targets] : by_arches) {
      policy::Rule rule;
      rule.action = Action::Allow();
      rule.targets = std::move(targets);
      rule.only_arches = only;
      rule.comment = why;
      result.rules.push_back(std::move(rule));
    }
  };
  add_unseen(AlwaysNeededSyscalls(), "needed by every program (exit, signal handlers, restarted calls), seen or not");
  add_unseen(VdsoFallbackSyscalls(),
             "answered by the vDSO on most clock sources, by the kernel on others: allowed though not seen");

  // 2. The recorded syscalls, grouped, one rule each.
  std::vector<std::string> names;
  for (const auto& [name, entry] : seen) names.push_back(name);
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    const std::string ga = GroupFor(a), gb = GroupFor(b);
    const int ra = GroupRank(ga), rb = GroupRank(gb);
    if (ra != rb) return ra < rb;
    if (ga != gb) return ga < gb;
    return a < b;
  });
  for (const std::string& name : names) {
    const Seen& entry = seen[name];
    policy::Rule rule;
    rule.action = Action::Allow();
    rule.targets = {name};
    rule.only_arches = Restriction(result.arches, entry.arches);
    std::vector<policy::Condition> conjuncts;
    std::vector<const InterestingArg*> conditioned;
    for (const InterestingArg& info : InterestingArgsOf(name)) {
      if (!info.condition) continue;
      auto it = entry.args.find(info.index);
      if (it == entry.args.end() || it->second.overflow || it->second.values.empty() ||
          it->second.values.size() > options.max_condition_values) {
        continue;
      }
      std::vector<policy::Condition> alternatives;
      for (uint64_t value : it->second.values) alternatives.push_back(Compare(info, value));
      conjuncts.push_back(Combine(policy::Condition::Kind::kOr, std::move(alternatives)));
      conditioned.push_back(&info);
    }
    if (!conjuncts.empty()) rule.condition = Combine(policy::Condition::Kind::kAnd, std::move(conjuncts));
    rule.comment = Evidence(name, entry, profile, conditioned);
    result.rules.push_back(std::move(rule));
  }

  // Whether some rule so far lets `name` through (conditionally or not).
  std::set<std::string> permitted;
  for (const policy::Rule& rule : result.rules) {
    for (const std::string& target : rule.targets) permitted.insert(target);
  }
  std::set<std::string> answered = permitted;

  // 3. ENOSYS for fallback twins whose older partner is allowed, so libc falls back instead of
  //    failing with EPERM; and for syscalls whose callers handle ENOSYS on their own.
  std::map<std::string, std::vector<std::string>> twins;  // newer -> allowed older partners
  for (const FallbackTwin& twin : FallbackTwins()) {
    if (permitted.count(std::string(twin.older)) == 0 || answered.count(std::string(twin.newer)) != 0) continue;
    if (ArchesHaving(result.arches, twin.newer).empty()) continue;
    twins[std::string(twin.newer)].emplace_back(twin.older);
  }
  for (const auto& [newer, olders] : twins) {
    policy::Rule rule;
    rule.action = Action::Errno(ENOSYS);
    rule.targets = {newer};
    rule.only_arches = Restriction(result.arches, ArchesHaving(result.arches, newer));
    rule.comment = fmt::format("fallback twin of {}: on ENOSYS, callers retry with {}", fmt::join(olders, ", "),
                               olders.size() == 1 ? olders.front() : "those");
    result.rules.push_back(std::move(rule));
    answered.insert(newer);
  }
  for (std::string_view name : EnosysSafeSyscalls()) {
    if (answered.count(std::string(name)) != 0 || ArchesHaving(result.arches, name).empty()) continue;
    policy::Rule rule;
    rule.action = Action::Errno(ENOSYS);
    rule.targets = {std::string(name)};
    rule.only_arches = Restriction(result.arches, ArchesHaving(result.arches, name));
    rule.comment = "not seen; its callers treat ENOSYS as 'not available here' and carry on";
    result.rules.push_back(std::move(rule));
    answered.insert(std::string(name));
  }

  // 4. ENOSYS for syscalls newer than the recording kernel: a later libc may try them first.
  if (!profile.kernel_release.empty()) {
    std::map<std::vector<Arch>, std::vector<std::string>> newer;
    for (std::string_view name : syscalls::AllNames()) {
      auto release = IntroducedIn(name);
      if (!release || CompareKernelReleases(*release, profile.kernel_release) <= 0) continue;
      if (answered.count(std::string(name)) != 0) continue;
      auto having = ArchesHaving(result.arches, name);
      if (having.empty()) continue;
      newer[Restriction(result.arches, having)].emplace_back(name);
    }
    for (auto& [only, targets] : newer) {
      policy::Rule rule;
      rule.action = Action::Errno(ENOSYS);
      rule.targets = std::move(targets);
      rule.only_arches = only;
      rule.comment = fmt::format("added to Linux after the recording kernel ({}): answer as that kernel would",
                                 profile.kernel_release);
      result.rules.push_back(std::move(rule));
    }
  }

  // clone3's flags are in memory no filter reads: where clone is restricted, clone3 must answer ENOSYS.
  policy::ReconcileCloneTwins(result, seen.count("clone3") != 0);
  if (options.fs_rules) result.fs_rules = FsRulesFrom(profile);
  return result;
}

}  // namespace sysfence::record
