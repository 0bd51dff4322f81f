// SPDX-License-Identifier: Apache-2.0
// The OCI/Docker importer's syscall rules: validation, includes/excludes, arguments, and the
// resolution libseccomp applies to them (formats/seccomp_order.h).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "formats/oci_import_internal.h"
#include "formats/oci_ranges.h"
#include "formats/seccomp_order.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats::oci_import_internal {

// Checks includes/excludes and says whether the rule applies (Docker's order of checks).
bool Importer::Selected(const Json& entry, const std::string& path) {
  struct Filter {
    std::vector<std::string> caps, arches;
    std::optional<std::pair<int, int>> min_kernel;
    bool present = false;
  };
  auto parse = [&](std::string_view key) {
    Filter filter;
    const std::string filter_path = path + "." + std::string(key);
    const Json* object = Field(entry, key);
    if (object == nullptr || object->is_null()) return filter;
    if (!object->is_object()) {
      Error(filter_path, "expected an object, got " + TypeName(*object));
      return filter;
    }
    filter.present = true;
    CheckKeys(*object, filter_path, {"caps", "arches", "minKernel"});
    if (auto caps = GetStringList(Field(*object, "caps"), filter_path + ".caps")) {
      filter.caps = *caps;
      for (size_t i = 0; i < caps->size(); ++i) {
        const std::string& cap = (*caps)[i];
        const bool looks_right = cap.size() > 4 && cap.starts_with("CAP_") &&
                                 std::all_of(cap.begin(), cap.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'; });
        if (!looks_right) {
          Warning(filter_path + ".caps[" + std::to_string(i) + "]",
                  "'" + cap + "' does not look like a capability name (CAP_...)");
        }
      }
    }
    if (auto arches = GetStringList(Field(*object, "arches"), filter_path + ".arches")) {
      filter.arches = *arches;
      for (size_t i = 0; i < arches->size(); ++i) {
        if (!IsKnownGoArch((*arches)[i])) {
          Warning(filter_path + ".arches[" + std::to_string(i) + "]",
                  "unknown architecture '" + (*arches)[i] + "' never matches");
        }
      }
    }
    if (const Json* min_kernel = Field(*object, "minKernel"); min_kernel != nullptr && !min_kernel->is_null()) {
      if (auto text = GetString(*min_kernel, filter_path + ".minKernel")) {
        filter.min_kernel = ParseKernelRelease(*text);
        if (!filter.min_kernel) {
          Error(filter_path + ".minKernel", "minKernel '" + *text + "' is not of the form MAJOR.MINOR");
        }
      }
    }
    return filter;
  };
  Filter includes = parse("includes");
  Filter excludes = parse("excludes");
  auto host_listed = [&](const std::vector<std::string>& arches) {
    return std::any_of(arches.begin(), arches.end(), [&](const std::string& a) { return GoArchMatches(a, host_); });
  };
  auto granted = [&](const std::string& cap) { return options_.capabilities.count(cap) > 0; };
  // An unknown kernel counts as newer than any minKernel.
  auto kernel_at_least = [&](const std::pair<int, int>& min) { return !kernel_ || *kernel_ >= min; };
  if (!excludes.arches.empty() && host_listed(excludes.arches)) return false;
  if (!includes.arches.empty() && !host_listed(includes.arches)) return false;
  if (std::any_of(excludes.caps.begin(), excludes.caps.end(), granted)) return false;
  if (excludes.min_kernel && kernel_at_least(*excludes.min_kernel)) return false;
  if (!std::all_of(includes.caps.begin(), includes.caps.end(), granted)) return false;
  if (includes.min_kernel && !kernel_at_least(*includes.min_kernel)) return false;
  return true;
}

std::optional<ParsedRule> Importer::ParseRule(const Json& entry, const std::string& path, int index) {
  if (!entry.is_object()) {
    Error(path, "expected an object, got " + TypeName(entry));
    return std::nullopt;
  }
  CheckKeys(entry, path, {"names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes"});
  const size_t errors_before = ErrorCount();
  ParsedRule rule;
  rule.index = index;
  rule.path = path;
  ParseRuleNames(entry, path, rule);
  ParseRuleAction(entry, path, rule);
  if (const Json* comment = Field(entry, "comment"); comment != nullptr && !comment->is_null()) {
    if (auto text = GetString(*comment, path + ".comment")) rule.comment = *text;
  }
  ParseRuleArgs(entry, path, rule);
  rule.selected = Selected(entry, path);
  if (ErrorCount() != errors_before) return std::nullopt;
  return rule;
}

void Importer::ParseRuleNames(const Json& entry, const std::string& path, ParsedRule& rule) {
  const size_t errors_before = ErrorCount();
  const Json* names = Field(entry, "names");
  const Json* name = Field(entry, "name");
  std::vector<std::string> written;
  std::string names_path = path + ".names";
  if (names != nullptr && !names->is_null() && name != nullptr && !name->is_null()) {
    Error(path, "both 'name' and 'names' are given; use 'names'");
  } else if (names != nullptr && !names->is_null()) {
    if (auto list = GetStringList(names, names_path)) written = *list;
  } else if (name != nullptr && !name->is_null()) {
    names_path = path + ".name";
    if (auto single = GetString(*name, names_path)) written = {*single};
  } else {
    Error(path, "missing required field 'names'");
  }
  for (size_t i = 0; i < written.size(); ++i) {
    const std::string& syscall = written[i];
    const std::string name_path = names == nullptr || names->is_null() ? names_path : names_path + "[" + std::to_string(i) + "]";
    if (syscall.empty()) {
      Error(name_path, "empty syscall name");
    } else if (!syscalls::IsKnownName(syscall)) {
      Warning(name_path, "unknown syscall '" + syscall + "' is ignored (as runc does)",
              DidYouMean(syscall, syscalls::AllNames()));
    } else if (std::find(rule.names.begin(), rule.names.end(), syscall) == rule.names.end()) {
      rule.names.push_back(syscall);
    }
  }
  if (written.empty() && ErrorCount() == errors_before) Warning(names_path, "the rule names no syscall");
}

void Importer::ParseRuleAction(const Json& entry, const std::string& path, ParsedRule& rule) {
  std::optional<uint64_t> errno_ret;
  bool errno_ok = true;
  if (const Json* errno_json = Field(entry, "errnoRet"); errno_json != nullptr && !errno_json->is_null()) {
    errno_ret = GetUnsigned(*errno_json, path + ".errnoRet");
    errno_ok = errno_ret.has_value();
  }
  if (const Json* action = Field(entry, "action")) {
    if (auto action_name = GetActionName(*action, path + ".action"); action_name && errno_ok) {
      if (auto resolved = ActionWithReturn(*action_name, errno_ret, path + ".errnoRet", "errnoRet")) {
        rule.action = *resolved;
      }
    }
  } else {
    Error(path, "missing required field 'action'");
  }
}

void Importer::ParseRuleArgs(const Json& entry, const std::string& path, ParsedRule& rule) {
  std::vector<Comparison> comparisons;
  if (const Json* args = Field(entry, "args"); args != nullptr && !args->is_null()) {
    if (!args->is_array()) {
      Error(path + ".args", "expected an array, got " + TypeName(*args));
    } else {
      for (size_t i = 0; i < args->size(); ++i) {
        if (auto comparison = ParseArg((*args)[i], path + ".args[" + std::to_string(i) + "]")) {
          comparisons.push_back(*comparison);
        }
      }
    }
  }
  std::set<int> indexes;
  bool repeated = false;
  for (const Comparison& c : comparisons) repeated |= !indexes.insert(c.arg).second;
  if (comparisons.empty()) return;  // unconditional
  if (repeated) {
    Warning(path + ".args", "an argument index repeats: runc adds each condition of this rule as a rule of its "
                            "own, so the conditions are ORed, not ANDed");
    for (const Comparison& c : comparisons) rule.chains.push_back({c});
  } else {
    std::sort(comparisons.begin(), comparisons.end(), [](const Comparison& a, const Comparison& b) { return a.arg < b.arg; });
    rule.chains.push_back(comparisons);
  }
}

std::optional<Comparison> Importer::ParseArg(const Json& arg, const std::string& path) {
  if (!arg.is_object()) {
    Error(path, "expected an object, got " + TypeName(arg));
    return std::nullopt;
  }
  CheckKeys(arg, path, {"index", "value", "valueTwo", "op"});
  const size_t errors_before = ErrorCount();
  Comparison comparison;
  if (const Json* index = Field(arg, "index")) {
    if (auto number = GetUnsigned(*index, path + ".index")) {
      if (*number > 5) Error(path + ".index", "argument index " + std::to_string(*number) + " is out of range 0..5");
      else comparison.arg = static_cast<int>(*number);
    }
  } else {
    Error(path, "missing required field 'index'");
  }
  uint64_t value = 0;
  uint64_t value_two = 0;
  if (const Json* v = Field(arg, "value"); v != nullptr && !v->is_null()) value = GetUnsigned(*v, path + ".value").value_or(0);
  if (const Json* v = Field(arg, "valueTwo"); v != nullptr && !v->is_null()) {
    value_two = GetUnsigned(*v, path + ".valueTwo").value_or(0);
  }
  if (const Json* op = Field(arg, "op")) {
    if (auto op_name = GetString(*op, path + ".op")) {
      if (auto parsed = OciOpFromName(*op_name)) {
        comparison.op = *parsed;
      } else {
        Error(path + ".op", "unknown comparison operator '" + *op_name + "'", DidYouMean(*op_name, OciOpNames()));
      }
    }
  } else {
    Error(path, "missing required field 'op'");
  }
  if (ErrorCount() != errors_before) return std::nullopt;
  if (comparison.op == CompareOp::kMaskedEq) {
    // libseccomp: value is the mask, valueTwo the datum, and the datum is masked first.
    comparison.mask = value;
    comparison.value = value_two & value;
  } else {
    comparison.value = value;
    if (value_two != 0) Warning(path + ".valueTwo", "valueTwo is only used by SCMP_CMP_MASKED_EQ; ignored");
  }
  return comparison;
}

Condition Importer::ChainCondition(const std::vector<Comparison>& chain) {
  if (chain.size() == 1) return Condition{Condition::Kind::kCompare, chain[0], {}};
  Condition all{Condition::Kind::kAnd, {}, {}};
  for (const Comparison& c : chain) all.children.push_back(Condition{Condition::Kind::kCompare, c, {}});
  return all;
}

std::optional<Condition> Importer::RuleCondition(const std::vector<std::vector<Comparison>>& chains) {
  if (chains.empty()) return std::nullopt;
  if (chains.size() == 1) return ChainCondition(chains[0]);
  Condition any{Condition::Kind::kOr, {}, {}};
  for (const auto& chain : chains) any.children.push_back(ChainCondition(chain));
  return any;
}

// Turns the selected rules into first-match policy rules that decide exactly what libseccomp
// decides (docs/formats.md, "Rule order").
void Importer::Resolve(const std::vector<ParsedRule>& rules) {
  // Per syscall: the rules that name it, in file order, without those runc skips (same action as
  // the default).
  std::map<std::string, std::vector<const ParsedRule*>> by_syscall;
  for (const ParsedRule& rule : rules) {
    if (!rule.selected || rule.action == policy_.default_action) continue;
    for (const std::string& name : rule.names) by_syscall[name].push_back(&rule);
  }
  // keep[rule index] = names the rule keeps in file order; reordered syscalls get rules of their own.
  std::map<int, std::vector<std::string>> keep;
  std::vector<policy::Rule> reordered_rules;
  for (auto& entry : by_syscall) {
    // Not a structured binding: clang 14 cannot capture those in the lambdas below.
    const std::string& name = entry.first;
    std::vector<const ParsedRule*>& mentions = entry.second;
    auto unconditional = std::find_if(mentions.begin(), mentions.end(), [](const ParsedRule* r) { return r->chains.empty(); });
    if (unconditional != mentions.end()) {
      // libseccomp: the first rule without arguments decides the syscall; every other rule is dropped.
      keep[(*unconditional)->index].push_back(name);
      for (const ParsedRule* other : mentions) {
        if (other != *unconditional && other->action != (*unconditional)->action) {
          Warning(other->path, "libseccomp ignores this rule for '" + name + "': the rule without arguments at " +
                                   (*unconditional)->path + " decides it");
        }
      }
      continue;
    }
    const bool one_action = std::all_of(mentions.begin(), mentions.end(),
                                        [&](const ParsedRule* r) { return r->action == mentions.front()->action; });
    if (one_action) {
      for (const ParsedRule* rule : mentions) keep[rule->index].push_back(name);
      continue;
    }
    // Conditional rules with different actions: libseccomp tries them in its own order.
    std::vector<SeccompChain> chains;
    for (const ParsedRule* rule : mentions) {
      for (const auto& chain : rule->chains) chains.push_back(SeccompChain{chain, rule->action, rule->index});
    }
    for (size_t i = 0; i < chains.size(); ++i) {
      for (size_t j = i + 1; j < chains.size(); ++j) {
        if (chains[i].action != chains[j].action && LibseccompRejects(chains[i].comparisons, chains[j].comparisons)) {
          const ParsedRule& later = *FindRule(rules, chains[j].rule_index);
          const ParsedRule& earlier = *FindRule(rules, chains[i].rule_index);
          Error(later.path, "for '" + name + "' this rule conflicts with " + earlier.path +
                                ": same conditions, different action; libseccomp refuses the profile (EEXIST)");
        }
      }
    }
    SortLikeLibseccomp(chains);
    for (const SeccompChain& chain : chains) {
      const ParsedRule& source = *FindRule(rules, chain.rule_index);
      policy::Rule rule;
      rule.action = chain.action;
      rule.targets = {name};
      rule.condition = ChainCondition(chain.comparisons);
      rule.comment = source.comment;
      rule.span = At(source.path);
      reordered_rules.push_back(std::move(rule));
    }
  }
  for (const ParsedRule& parsed : rules) {
    auto it = keep.find(parsed.index);
    if (it == keep.end()) continue;
    policy::Rule rule;
    rule.action = parsed.action;
    for (const std::string& name : parsed.names) {
      if (std::find(it->second.begin(), it->second.end(), name) != it->second.end()) rule.targets.push_back(name);
    }
    rule.condition = RuleCondition(parsed.chains);
    rule.comment = parsed.comment;
    rule.span = At(parsed.path);
    policy_.rules.push_back(std::move(rule));
  }
  // Every conditional rule kept so far has the one action of all rules naming its syscalls.
  RejoinLowWordRanges(policy_.rules, 0, policy_.arches);
  for (policy::Rule& rule : reordered_rules) policy_.rules.push_back(std::move(rule));
}

const ParsedRule* Importer::FindRule(const std::vector<ParsedRule>& rules, int index) {
  for (const ParsedRule& rule : rules) {
    if (rule.index == index) return &rule;
  }
  return nullptr;
}

}  // namespace sysfence::formats::oci_import_internal
