// SPDX-License-Identifier: Apache-2.0
#include "record/generate.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "fmt/format.h"
#include "record/privilege_suggestions.h"
#include "policy/amend.h"
#include "policy/printer.h"
#include "syscalls/arg_meanings.h"
#include "syscalls/facts.h"
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

// Everything seen of one syscall name, over every ABI it was seen on. Argument values are kept by
// argument name: positions differ between ABIs (clone's flags are arg1 on s390x).
struct Seen {
  std::vector<Arch> arches;
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t processes = 0;
  bool startup_only = true;
  std::map<std::string_view, profile::ArgValues> args;
};

// The recorded arguments of `name`, in the order of its signature, with their meaning.
std::vector<std::pair<std::string_view, syscalls::ArgMeaning>> RecordedArgsOf(std::string_view name) {
  std::vector<std::pair<std::string_view, syscalls::ArgMeaning>> recorded;
  for (const syscalls::ArgInfo& arg : syscalls::ArgsOf(name)) {
    const std::optional<syscalls::ArgMeaning> meaning = syscalls::TableMeaningOf(name, arg.name);
    if (meaning && meaning->recorded) recorded.emplace_back(arg.name, *meaning);
  }
  return recorded;
}

// The one value seen for argument `arg_name`, if exactly one was (what a dependent argument needs).
std::optional<uint64_t> SingleValue(const Seen& seen, std::string_view arg_name) {
  auto it = seen.args.find(arg_name);
  if (it == seen.args.end() || it->second.overflow || it->second.values.size() != 1) return std::nullopt;
  return *it->second.values.begin();
}

// Every recorded syscall with a name, by name.
std::map<std::string, Seen> CollectSeen(const profile::Profile& profile) {
  std::map<std::string, Seen> seen;
  for (const profile::SyscallRecord& record : profile.syscalls) {
    if (!syscalls::IsKnownName(record.name)) continue;
    Seen& entry = seen[record.name];
    entry.arches.push_back(record.arch);
    entry.count += record.count;
    entry.errors += record.errors;
    entry.processes += record.processes;
    entry.startup_only = entry.startup_only && record.startup_only;
    const std::span<const syscalls::ArgInfo> signature = syscalls::ArgsOfOn(record.arch, record.name);
    for (const auto& [index, values] : record.args) {
      if (static_cast<size_t>(index) < signature.size()) entry.args[signature[index].name].Merge(values);
    }
  }
  for (auto& [name, entry] : seen) std::sort(entry.arches.begin(), entry.arches.end());
  return seen;
}

// `value` in the argument's constants ("PROT_READ|PROT_WRITE") when every part is a constant the
// policy language knows and together they make exactly `value`; "" (print the number) otherwise.
std::string SymbolicSpelling(const syscalls::ArgMeaning& meaning, uint64_t value) {
  const std::optional<std::string> text = syscalls::NameArgValue(meaning, value);
  if (!text) return {};
  uint64_t combined = 0;
  for (size_t start = 0; start <= text->size();) {
    const size_t bar = std::min(text->find('|', start), text->size());
    const syscalls::Constant* constant = syscalls::FindConstant(std::string_view(*text).substr(start, bar - start));
    if (constant == nullptr) return {};
    combined |= constant->value;
    start = bar + 1;
  }
  return combined == value ? *text : std::string();
}

// Where a condition on argument `arg_name` of `name` points for a rule over `arches`: its position
// when that is the same on all of them, else the name (resolved per ABI); nullopt when some ABI's
// signature lacks the argument (i386's mmap passes a struct: no condition can see prot there).
std::optional<std::pair<int, std::string>> ConditionArgument(std::string_view name, std::string_view arg_name,
                                                             const std::vector<Arch>& arches) {
  std::set<int> positions;
  for (Arch arch : arches) {
    const std::span<const syscalls::ArgInfo> signature = syscalls::ArgsOfOn(arch, name);
    auto it = std::find_if(signature.begin(), signature.end(),
                           [&](const syscalls::ArgInfo& arg) { return arg.name == arg_name; });
    if (it == signature.end()) return std::nullopt;
    positions.insert(static_cast<int>(it - signature.begin()));
  }
  if (positions.size() == 1) return std::pair(*positions.begin(), std::string());
  return std::pair(policy::kNamedArgument, std::string(arg_name));
}

// Whether `arch`'s signature of `name` has every argument the table would make a condition of.
bool HasConditionArguments(std::string_view name, Arch arch) {
  const std::span<const syscalls::ArgInfo> signature = syscalls::ArgsOfOn(arch, name);
  for (const auto& [arg_name, meaning] : RecordedArgsOf(name)) {
    if (meaning.condition && std::none_of(signature.begin(), signature.end(), [&](const syscalls::ArgInfo& arg) {
          return arg.name == arg_name;
        })) {
      return false;
    }
  }
  return true;
}

policy::Condition Compare(std::pair<int, std::string> argument, const syscalls::ArgMeaning& meaning, uint64_t value) {
  policy::Condition condition;
  condition.kind = policy::Condition::Kind::kCompare;
  condition.compare.arg = argument.first;
  condition.compare.arg_name = std::move(argument.second);
  condition.compare.op = policy::CompareOp::kEq;
  condition.compare.value = value;
  condition.compare.value_spelling = SymbolicSpelling(meaning, value);
  return condition;
}

policy::Condition Combine(policy::Condition::Kind kind, std::vector<policy::Condition> children) {
  if (children.size() == 1) return std::move(children.front());
  policy::Condition condition;
  condition.kind = kind;
  condition.children = std::move(children);
  return condition;
}

std::string Evidence(const std::string& name, const Seen& seen, const profile::Profile& profile,
                     const std::set<std::string_view>& conditioned) {
  std::string text = fmt::format("{}: {} call{}", GroupFor(name), seen.count, seen.count == 1 ? "" : "s");
  if (profile.errors_known && seen.errors != 0) text += fmt::format(", {} failed", seen.errors);
  if (profile.process_images > 1) {
    text += fmt::format(", {} of {} processes", seen.processes, profile.process_images);
  }
  if (seen.startup_only) text += ", start-up only";
  for (const auto& [arg_name, meaning] : RecordedArgsOf(name)) {
    auto it = seen.args.find(arg_name);
    if (it == seen.args.end() || it->second.values.empty()) continue;
    const std::optional<uint64_t> selector =
        meaning.depends_on.empty() ? std::nullopt : SingleValue(seen, meaning.depends_on);
    std::vector<std::string> names;
    for (uint64_t value : it->second.values) names.push_back(syscalls::DescribeArgValue(meaning, value, selector));
    text += fmt::format("; {} {}{}{}", arg_name, conditioned.count(arg_name) != 0 ? "" : "seen ",
                        fmt::join(names, ", "), it->second.overflow ? ", …" : "");
  }
  return text;
}

// The rule allowing recorded syscall `name`: restricted to the values seen of the arguments the
// table marks as conditions, when few enough were seen; the comment gives the evidence.
policy::Rule RecordedRule(const std::string& name, const Seen& entry, const profile::Profile& profile,
                          const std::vector<Arch>& policy_arches, const GenerateOptions& options) {
  policy::Rule rule;
  rule.action = Action::Allow();
  rule.targets = {name};
  rule.only_arches = Restriction(policy_arches, entry.arches);
  std::vector<policy::Condition> conjuncts;
  std::set<std::string_view> conditioned;
  for (const auto& [arg_name, meaning] : RecordedArgsOf(name)) {
    if (!meaning.condition) continue;
    auto it = entry.args.find(arg_name);
    if (it == entry.args.end() || it->second.overflow || it->second.values.empty() ||
        it->second.values.size() > options.max_condition_values) {
      continue;
    }
    const std::optional<std::pair<int, std::string>> argument = ConditionArgument(name, arg_name, entry.arches);
    if (!argument) continue;
    std::vector<policy::Condition> alternatives;
    for (uint64_t value : it->second.values) alternatives.push_back(Compare(*argument, meaning, value));
    conjuncts.push_back(Combine(policy::Condition::Kind::kOr, std::move(alternatives)));
    conditioned.insert(arg_name);
  }
  if (!conjuncts.empty()) rule.condition = Combine(policy::Condition::Kind::kAnd, std::move(conjuncts));
  rule.comment = Evidence(name, entry, profile, conditioned);
  return rule;
}

std::vector<policy::FsRule> FsRulesFrom(const profile::Profile& profile) {
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

std::string RenderGeneratedPolicy(const profile::Profile& profile, const policy::Policy& policy) {
  std::string command;
  for (const std::string& word : profile.command) command += (command.empty() ? "" : " ") + word;
  // The header is a comment line: a newline in an argument (python3 -c "…") would end it.
  for (size_t at = command.find_first_of("\r\n"); at != std::string::npos; at = command.find_first_of("\r\n", at)) {
    command.replace(at, 1, command[at] == '\n' ? "\\n" : "\\r");
  }
  if (command.empty() && profile.attached_pid != 0) command = fmt::format("pid {}", profile.attached_pid);
  std::string header = fmt::format("# Generated by `sysfence record` from: {}\n", command.empty() ? "(merged)" : command);
  header += fmt::format("# {} recording{}, {} backend, Linux {}. Review before use: a recording proves only the\n",
                        profile.recordings, profile.recordings == 1 ? "" : "s", profile.backend, profile.kernel_release);
  header += "# paths this run took (see the coverage report).\n";
  return header + policy::PrintPolicy(policy) + PrivilegeSuggestions(profile);
}

namespace {

// Allows `names` where the recording did not see them, one rule per set of ABIs having them.
void AddUnseen(policy::Policy& result, const std::map<std::string, Seen>& seen,
               std::span<const std::string_view> names, const std::string& why) {
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
}

// The recorded syscalls, one rule each, in group order.
void AddRecorded(policy::Policy& result, const std::map<std::string, Seen>& seen, const profile::Profile& profile,
                 const GenerateOptions& options) {
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
    // A condition can only name an argument every ABI of its rule has (i386's mmap passes a struct,
    // so it has no prot): the ABIs lacking one get their own rule, without that condition.
    const Seen& entry = seen.at(name);
    Seen having = entry, lacking = entry;
    having.arches.clear();
    lacking.arches.clear();
    for (Arch arch : entry.arches) (HasConditionArguments(name, arch) ? having : lacking).arches.push_back(arch);
    if (having.arches.empty() || lacking.arches.empty()) {
      result.rules.push_back(RecordedRule(name, entry, profile, result.arches, options));
    } else {
      result.rules.push_back(RecordedRule(name, having, profile, result.arches, options));
      result.rules.push_back(RecordedRule(name, lacking, profile, result.arches, options));
    }
  }
}

policy::Rule EnosysRule(const policy::Policy& result, std::string_view name, std::string comment) {
  policy::Rule rule;
  rule.action = Action::Errno(ENOSYS);
  rule.targets = {std::string(name)};
  rule.only_arches = Restriction(result.arches, ArchesHaving(result.arches, name));
  rule.comment = std::move(comment);
  return rule;
}

// ENOSYS for fallback twins whose older partner is allowed, so libc falls back instead of failing
// with EPERM; and for syscalls whose callers handle ENOSYS on their own. Adds them to `answered`.
void AddEnosysFallbacks(policy::Policy& result, std::set<std::string>& answered) {
  std::set<std::string> permitted;  // whether some rule so far lets a name through (maybe conditionally)
  for (const policy::Rule& rule : result.rules) permitted.insert(rule.targets.begin(), rule.targets.end());
  std::map<std::string, std::vector<std::string>> twins;  // newer -> allowed older partners
  for (const syscalls::FallbackTwin& twin : syscalls::FallbackTwins()) {
    if (permitted.count(std::string(twin.older)) == 0 || answered.count(std::string(twin.newer)) != 0) continue;
    if (ArchesHaving(result.arches, twin.newer).empty()) continue;
    twins[std::string(twin.newer)].emplace_back(twin.older);
  }
  for (const auto& [newer, olders] : twins) {
    const std::string retry = olders.size() == 1 ? olders.front() : "those";
    result.rules.push_back(EnosysRule(
        result, newer,
        fmt::format("fallback twin of {}: on ENOSYS, callers retry with {}", fmt::join(olders, ", "), retry)));
    answered.insert(newer);
  }
  for (std::string_view name : syscalls::EnosysSafeSyscalls()) {
    if (answered.count(std::string(name)) != 0 || ArchesHaving(result.arches, name).empty()) continue;
    result.rules.push_back(
        EnosysRule(result, name, "not seen; its callers treat ENOSYS as 'not available here' and carry on"));
    answered.insert(std::string(name));
  }
}

// ENOSYS for syscalls newer than the recording kernel: a later libc may try them first.
void AddNewerThanKernel(policy::Policy& result, const std::string& kernel_release,
                        const std::set<std::string>& answered) {
  if (kernel_release.empty()) return;
  std::map<std::vector<Arch>, std::vector<std::string>> newer;
  for (std::string_view name : syscalls::AllNames()) {
    auto release = syscalls::IntroducedIn(name);
    if (!release || profile::CompareKernelReleases(*release, kernel_release) <= 0) continue;
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
    rule.comment =
        fmt::format("added to Linux after the recording kernel ({}): answer as that kernel would", kernel_release);
    result.rules.push_back(std::move(rule));
  }
}

}  // namespace

policy::Policy GeneratePolicy(const profile::Profile& profile, const GenerateOptions& options) {
  policy::Policy result;
  std::set<Arch> arch_set{profile.native_arch};
  for (const profile::SyscallRecord& record : profile.syscalls) arch_set.insert(record.arch);
  result.arches.assign(arch_set.begin(), arch_set.end());
  result.default_action = options.default_action;
  result.badarch_action = Action::KillProcess();
  const std::map<std::string, Seen> seen = CollectSeen(profile);

  // 1. What every program needs, and the vDSO fallbacks, where the recording did not see them.
  AddUnseen(result, seen, syscalls::AlwaysNeededSyscalls(),
            "needed by every program (exit, signal handlers, restarted calls), seen or not");
  AddUnseen(result, seen, syscalls::VdsoFallbackSyscalls(),
            "answered by the vDSO on most clock sources, by the kernel on others: allowed though not seen");
  // 2. The recorded syscalls, grouped, one rule each.
  AddRecorded(result, seen, profile, options);
  // 3. ENOSYS for fallback twins and for syscalls whose callers expect it.
  std::set<std::string> answered;
  for (const policy::Rule& rule : result.rules) answered.insert(rule.targets.begin(), rule.targets.end());
  AddEnosysFallbacks(result, answered);
  // 4. ENOSYS for syscalls newer than the recording kernel.
  AddNewerThanKernel(result, profile.kernel_release, answered);

  // clone3's flags are in memory no filter reads: where clone is restricted, clone3 must answer ENOSYS.
  policy::ReconcileCloneTwins(result, seen.count("clone3") != 0);
  if (options.fs_rules) result.fs_rules = FsRulesFrom(profile);
  return result;
}

}  // namespace sysfence::record
