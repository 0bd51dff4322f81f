// SPDX-License-Identifier: Apache-2.0
// The .sfp parser: tokens -> Policy, with every check done at the token it concerns. One FileParser
// per file (parser_statements.cc, parser_conditions.cc); includes are parsed recursively into the
// same Policy, in place. This file: the entry point, the name lists for suggestions, and the checks
// that need the whole policy.
#include "policy/parser.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/input_file.h"
#include "core/suggest.h"
#include "policy/arguments.h"
#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/lexer.h"
#include "policy/parser_internal.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace parser_internal {

std::string Hint(std::string_view name, std::span<const std::string_view> candidates) {
  return DidYouMeanHint(name, candidates);
}

const std::vector<std::string_view>& ArchNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (Arch arch : AllArches()) out.push_back(ArchName(arch));
    // Common aliases, so "arm46" can be pointed to "arm64".
    for (std::string_view alias : {"amd64", "i386", "i686", "arm64", "armhf", "riscv", "ppc64el"}) {
      if (ArchFromName(alias)) out.push_back(alias);
    }
    return out;
  }();
  return names;
}

const std::vector<std::string_view>& GroupNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const syscalls::Group& group : syscalls::AllGroups()) out.push_back(group.name);
    return out;
  }();
  return names;
}

const std::vector<std::string_view>& ConstantNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const syscalls::Constant& constant : syscalls::AllConstants()) out.push_back(constant.name);
    return out;
  }();
  return names;
}

const std::vector<std::string_view>& AccessWords() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const FsAccessWord& word : AllFsAccessWords()) out.push_back(word.word);
    return out;
  }();
  return names;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) out += '\n';
    out += lines[i];
  }
  return out;
}

SourceSpan Cover(const SourceSpan& first, const SourceSpan& last) {
  SourceSpan span = first;
  if (last.line == first.line && last.column + last.length > first.column) {
    span.length = last.column + last.length - first.column;
  }
  return span;
}

Result<std::pair<std::string, std::string>> ReadIncludeFromDisk(std::string_view include_path,
                                                                 std::string_view including_file) {
  namespace fs = std::filesystem;
  fs::path path(include_path);
  if (path.is_relative()) path = fs::path(including_file).parent_path() / path;
  path = path.lexically_normal();
  const std::string shown = path.string();
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    return MakeError(ErrorCode::kNotFound, "cannot include '" + std::string(include_path) + "': no such file '" +
                                               shown + "'");
  }
  if (!fs::is_regular_file(status)) {
    return MakeError(ErrorCode::kInvalidInput,
                     "cannot include '" + std::string(include_path) + "': '" + shown + "' is not a regular file");
  }
  Result<std::string> text = ReadInputFile(shown);
  if (!text.ok()) return MakeError(text.error().code, "cannot include '" + std::string(include_path) + "': " + text.error().message);
  return std::make_pair(shown, std::move(*text));
}

}  // namespace parser_internal

namespace {

using parser_internal::Context;
using parser_internal::FileParser;
using parser_internal::PendingArgument;
using parser_internal::PendingRuleArch;
using parser_internal::PendingWidth;

// Named arguments become positions where the name sits at one position on every ABI of the rule
// (the usual case, and the canonical form); the others keep their name, resolved per ABI.
void KeepNamesOnlyWhereTheyMove(Condition& condition, const std::vector<std::string>& syscalls,
                                const std::vector<Arch>& arches) {
  for (Condition& child : condition.children) KeepNamesOnlyWhereTheyMove(child, syscalls, arches);
  if (condition.kind != Condition::Kind::kCompare || condition.compare.arg_name.empty()) return;
  std::set<int> positions;
  for (Arch arch : arches) {
    for (const std::string& syscall : syscalls) {
      if (!syscalls::NumberOf(arch, syscall)) continue;
      if (auto position = NamedArgumentPosition(condition.compare.arg_name, arch, syscall)) {
        positions.insert(*position);
      }
    }
  }
  if (positions.size() > 1) {
    condition.compare.arg = kNamedArgument;
    return;
  }
  if (positions.size() == 1) condition.compare.arg = *positions.begin();
  condition.compare.arg_name.clear();
}

// Checks that need the whole policy: the ABIs exist, rules' ABIs are among them, arguments exist on
// each of a rule's ABIs, values fit.
void Finish(Context& context, std::string_view file_name) {
  Policy& policy = context.policy;
  if (!context.arch_seen) {
    if (context.arch_written) return;  // its error is reported
    SourceSpan span;
    span.file = std::string(file_name);
    span.line = 1;
    span.column = 1;
    context.diagnostics.Error(span, "the policy has no 'arch' statement",
                              "add one naming the ABIs the filter accepts, e.g. 'arch x86_64'");
    return;
  }
  for (const PendingRuleArch& pending : context.rule_arches) {
    if (std::find(policy.arches.begin(), policy.arches.end(), pending.arch) == policy.arches.end()) {
      context.diagnostics.Error(pending.span,
                                "ABI " + std::string(ArchName(pending.arch)) + " is not one of the policy's ABIs",
                                "add it to the 'arch' statement");
    }
  }
  std::set<size_t> bad_rules;
  for (const PendingArgument& pending : context.arguments) {
    const Rule& rule = policy.rules[pending.rule];
    if (auto problem = CheckArgumentUseOn(pending.compare, ExpandTargets(rule), RuleArches(policy, rule))) {
      context.diagnostics.Error(pending.span, problem->message, problem->hint);
      bad_rules.insert(pending.rule);
    }
  }
  for (const PendingWidth& pending : context.widths) {
    if (bad_rules.contains(pending.rule)) continue;
    const Rule& rule = policy.rules[pending.rule];
    Comparison argument;
    argument.arg = pending.arg;
    if (pending.named) argument.arg_name = pending.arg_name;
    const int width = ArgumentWidthOf(RuleArches(policy, rule), ExpandTargets(rule), argument);
    if (!FitsArgumentWidth(pending.value, width)) {
      Problem problem = WidthProblem(pending.value, pending.arg_name, pending.is_mask, width);
      context.diagnostics.Error(pending.span, problem.message, problem.hint);
    }
  }
  for (Rule& rule : policy.rules) {
    if (rule.condition) KeepNamesOnlyWhereTheyMove(*rule.condition, ExpandTargets(rule), RuleArches(policy, rule));
  }
}

}  // namespace

std::optional<Policy> ParsePolicy(std::string_view text, std::string_view file_name, Diagnostics& diagnostics,
                                  const ParseOptions& options) {
  Context context;
  context.options = &options;
  std::string top(file_name);
  if (!options.resolve_include && !top.empty()) top = std::filesystem::path(top).lexically_normal().string();
  context.include_stack.push_back(top);
  if (options.sources) (*options.sources)[std::string(file_name)] = std::string(text);
  FileParser(context, Lex(text, file_name, context.diagnostics), true).Run();
  Finish(context, file_name);
  const bool failed = context.diagnostics.HasErrors();
  diagnostics.Append(context.diagnostics);
  if (failed) return std::nullopt;
  return std::move(context.policy);
}

}  // namespace sysfence::policy
