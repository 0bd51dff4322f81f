// SPDX-License-Identifier: Apache-2.0
// The .sfp parser's statements: arch, default/badarch/unknown, include, rules, fs and net (caps,
// unshare and rlimit are in parser_privileges.cc).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "policy/arguments.h"
#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/parser_internal.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy::parser_internal {

void FileParser::ParseStatement() {
  const Token& first = Peek();
  if (first.kind != TokenKind::kWord) {
    Fail(first.span, "expected a statement, found " + Describe(first),
         first.kind == TokenKind::kGroup ? "a rule starts with its action: 'allow " + first.text + "'" : "");
    return;
  }
  const std::string& word = first.text;
  if (word == "arch") return ParseArch();
  if (word == "default" || word == "badarch" || word == "unknown") return ParseHeaderAction();
  if (word == "include") return ParseInclude();
  if (word == "fs") return ParseFs();
  if (word == "net") return ParseNet();
  if (word == "caps") return ParseCaps();
  if (word == "unshare") return ParseUnshare();
  if (word == "rlimit") return ParseRlimit();
  if (ActionKindFromKeyword(word)) return ParseRule();
  std::string hint = Hint(word, kStatementKeywords);
  if (hint.empty() && syscalls::IsKnownName(word)) hint = "a rule starts with its action: 'allow " + word + "'";
  Fail(first.span, "unknown statement '" + word + "'", hint);
}

void FileParser::ParseArch() {
  const Token keyword = Next();
  context_.arch_written = true;
  if (context_.arch_seen) {
    Fail(keyword.span, "'arch' appears twice", "the first is at " + context_.arch_seen->ToString());
    return;
  }
  std::vector<Arch> arches;
  while (!AtStatementEnd()) {
    const Token& token = Next();
    if (token.kind != TokenKind::kWord) {
      Fail(token.span, "expected an ABI name, found " + Describe(token));
      return;
    }
    std::optional<Arch> arch = ArchFromName(token.text);
    if (!arch) {
      Fail(token.span, "unknown ABI '" + token.text + "'", Hint(token.text, ArchNames()));
      return;
    }
    if (std::find(arches.begin(), arches.end(), *arch) != arches.end()) {
      Fail(token.span, "ABI " + std::string(ArchName(*arch)) + " is listed twice");
      return;
    }
    arches.push_back(*arch);
  }
  if (arches.empty()) {
    Fail(Peek().span, "'arch' needs at least one ABI, e.g. 'arch x86_64'");
    return;
  }
  const std::string trailing = EndStatement();
  if (failed_) return;
  TakeHeaderComment(trailing);
  context_.arch_seen = keyword.span;
  context_.policy.arches = std::move(arches);
}

void FileParser::ParseHeaderAction() {
  const Token keyword = Next();
  const bool is_default = keyword.text == "default";
  const bool is_unknown = keyword.text == "unknown";
  std::optional<SourceSpan>& seen =
      is_default ? context_.default_seen : is_unknown ? context_.unknown_seen : context_.badarch_seen;
  if (seen) {
    Fail(keyword.span, "'" + keyword.text + "' appears twice", "the first is at " + seen->ToString());
    return;
  }
  if (AtStatementEnd()) {
    Fail(Peek().span, "'" + keyword.text + "' needs an action, e.g. '" + keyword.text + " errno EPERM'");
    return;
  }
  // `unknown default`: numbers past the syscall table get whatever the default is.
  if (is_unknown && PeekWord("default")) {
    Next();
    const std::string trailing = EndStatement();
    if (failed_) return;
    TakeHeaderComment(trailing);
    seen = keyword.span;
    context_.policy.unknown_follows_default = true;
    context_.policy.unknown_span = keyword.span;
    return;
  }
  std::optional<Action> action = ParseAction(Next());
  if (!action) return;
  const std::string trailing = EndStatement();
  if (failed_) return;
  TakeHeaderComment(trailing);
  seen = keyword.span;
  if (is_unknown) {
    context_.policy.unknown_action = *action;
    context_.policy.unknown_span = keyword.span;
  } else if (is_default) {
    context_.policy.default_action = *action;
    context_.policy.default_span = keyword.span;
  } else {
    context_.policy.badarch_action = *action;
    context_.policy.badarch_span = keyword.span;
  }
}

// Parses an action whose keyword is `keyword` (already consumed), by the grammar of core/action.h.
std::optional<Action> FileParser::ParseAction(const Token& keyword) {
  if (keyword.kind != TokenKind::kWord) {
    Fail(keyword.span, "expected an action, found " + Describe(keyword));
    return std::nullopt;
  }
  const ActionTextResult<ActionKind> kind = ParseActionKeyword(keyword.text);
  if (!kind.ok()) return Rejected(keyword.span, kind.error);
  if (ActionValueUseOf(*kind.value) == ActionValueUse::kNone) return Action{*kind.value, 0};
  const Token& token = Peek();
  if (*kind.value != ActionKind::kErrno) {  // trap and trace: optional data, a number
    if (token.kind != TokenKind::kNumber) return Action{*kind.value, 0};
    Next();
    return Accepted(token.span, ActionWithNumber(*kind.value, false, token.value, token.text));
  }
  if (token.kind == TokenKind::kWord) {
    Next();
    return Accepted(token.span, ActionWithErrnoName(token.text));
  }
  if (token.kind == TokenKind::kNumber || token.kind == TokenKind::kMinus) {
    const Token& first = Next();
    const bool negative = first.kind == TokenKind::kMinus;
    const Token& number = negative ? Next() : first;
    if (number.kind != TokenKind::kNumber) {
      Fail(number.span, "expected an errno number after '-'");
      return std::nullopt;
    }
    return Accepted(Cover(first.span, number.span),
                    ActionWithNumber(*kind.value, negative, number.value, (negative ? "-" : "") + number.text));
  }
  return Rejected(token.span, MissingActionValue(*kind.value));
}

// The action of `result`, or nullopt after reporting its error at `span` (the tokens it read).
std::optional<Action> FileParser::Accepted(const SourceSpan& span, const ActionTextResult<Action>& result) {
  if (!result.ok()) return Rejected(span, result.error);
  return result.value;
}

std::nullopt_t FileParser::Rejected(const SourceSpan& span, const ActionTextError& error) {
  Fail(span, error.message, error.hint);
  return std::nullopt;
}

void FileParser::ParseInclude() {
  const Token keyword = Next();
  const Token& name = Peek();
  if (name.kind != TokenKind::kString) {
    Fail(name.span, "'include' needs a quoted file name, e.g. include \"runtime.sfp\"",
         name.kind == TokenKind::kWord || name.kind == TokenKind::kPath ? "write include \"" + RestOfStatement() + "\""
                                                                        : "");
    return;
  }
  Next();
  const std::string trailing = EndStatement();
  if (failed_) return;
  TakeHeaderComment(trailing);
  if (name.text.empty()) {
    Fail(name.span, "'include' needs a file name");
    return;
  }
  if (context_.include_stack.size() > kMaxIncludeDepth) {
    Fail(name.span, "includes nested too deeply (more than " + std::to_string(kMaxIncludeDepth) + " levels)");
    return;
  }
  const std::string& including = context_.include_stack.back();
  Result<std::pair<std::string, std::string>> resolved =
      context_.options->resolve_include ? context_.options->resolve_include(name.text, including)
                                        : ReadIncludeFromDisk(name.text, including);
  if (!resolved.ok()) {
    Fail(name.span, resolved.error().message);
    return;
  }
  const std::string& path = resolved->first;
  auto cycle = std::find(context_.include_stack.begin(), context_.include_stack.end(), path);
  if (cycle != context_.include_stack.end()) {
    std::string chain;
    for (auto it = cycle; it != context_.include_stack.end(); ++it) chain += *it + " -> ";
    Fail(name.span, "include cycle: " + chain + path);
    return;
  }
  if (context_.options->sources) (*context_.options->sources)[path] = resolved->second;
  context_.include_stack.push_back(path);
  FileParser(context_, Lex(resolved->second, path, context_.diagnostics), false).Run();
  context_.include_stack.pop_back();
}

void FileParser::ParseRule() {
  const Token keyword = Peek();
  std::optional<Action> action = ParseAction(Next());
  if (!action) return;
  Rule rule;
  rule.action = *action;
  rule.span = keyword.span;
  bool targets_ok = true;
  if (!ParseRuleTargets(keyword, rule, targets_ok)) return;
  std::vector<PendingRuleArch> rule_arches;
  if (PeekWord("on") && !ParseRuleArches(rule, rule_arches)) return;
  std::vector<PendingWidth> widths;
  std::vector<PendingArgument> arguments;
  if (PeekWord("if")) {
    const Token if_token = Next();
    if (AtStatementEnd()) {
      Fail(Peek().span, "'if' needs a condition, e.g. 'if arg0 == 1'");
      return;
    }
    if (!targets_ok) {
      // Argument names cannot be resolved against unknown syscalls; the error is reported.
      failed_ = true;
      return;
    }
    syscalls_ = ExpandTargets(rule.targets);
    pending_widths_ = &widths;
    pending_arguments_ = &arguments;
    std::optional<Condition> condition = ParseOr(0);
    pending_widths_ = nullptr;
    pending_arguments_ = nullptr;
    if (!condition) return;
    rule.condition = std::move(*condition);
  }
  const std::string trailing = EndStatement();
  if (failed_ || !targets_ok) {
    failed_ = true;
    return;
  }
  rule.comment = TakeComment(trailing);
  const size_t index = context_.policy.rules.size();
  for (PendingWidth& width : widths) {
    width.rule = index;
    context_.widths.push_back(std::move(width));
  }
  for (PendingArgument& argument : arguments) {
    argument.rule = index;
    context_.arguments.push_back(std::move(argument));
  }
  context_.rule_arches.insert(context_.rule_arches.end(), rule_arches.begin(), rule_arches.end());
  context_.policy.rules.push_back(std::move(rule));
}

bool FileParser::ParseRuleTargets(const Token& keyword, Rule& rule, bool& targets_ok) {
  while (!AtStatementEnd() && !PeekWord("if") && !PeekWord("on")) {
    const Token& token = Next();
    if (token.kind == TokenKind::kGroup) {
      if (!syscalls::FindGroup(token.text)) {
        context_.diagnostics.Error(token.span, "unknown group '" + token.text + "'", Hint(token.text, GroupNames()));
        targets_ok = false;
      }
    } else if (token.kind == TokenKind::kWord) {
      if (!syscalls::IsKnownName(token.text)) {
        std::string hint = Hint(token.text, syscalls::AllNames());
        if (hint.empty() && syscalls::FindGroup("@" + token.text)) hint = "did you mean the group '@" + token.text + "'?";
        context_.diagnostics.Error(token.span, "unknown syscall '" + token.text + "'", hint);
        targets_ok = false;
      }
    } else {
      Fail(token.span, "expected a syscall name or @group, found " + Describe(token),
           token.kind == TokenKind::kNumber ? "rules name syscalls, not numbers" : "");
      return false;
    }
    rule.targets.push_back(token.text);
  }
  if (rule.targets.empty()) {
    Fail(Peek().span, "'" + keyword.text + "' needs at least one syscall or @group, e.g. '" + keyword.text + " read'");
    return false;
  }
  return true;
}

bool FileParser::ParseRuleArches(Rule& rule, std::vector<PendingRuleArch>& rule_arches) {
  const Token on = Next();
  while (!AtStatementEnd() && !PeekWord("if")) {
    const Token& token = Next();
    std::optional<Arch> arch = token.kind == TokenKind::kWord ? ArchFromName(token.text) : std::nullopt;
    if (!arch) {
      Fail(token.span, "unknown ABI " + Describe(token), Hint(token.text, ArchNames()));
      return false;
    }
    if (std::find(rule.only_arches.begin(), rule.only_arches.end(), *arch) != rule.only_arches.end()) {
      Fail(token.span, "ABI " + std::string(ArchName(*arch)) + " is listed twice");
      return false;
    }
    rule.only_arches.push_back(*arch);
    rule_arches.push_back({*arch, token.span});
  }
  if (rule.only_arches.empty()) {
    Fail(on.span, "'on' needs at least one ABI, e.g. 'on x86_64'");
    return false;
  }
  return true;
}

void FileParser::ParseFs() {
  const Token keyword = Next();
  FsRule rule;
  rule.span = keyword.span;
  while (Peek().kind == TokenKind::kWord) {
    const Token& token = Next();
    std::optional<uint32_t> access = FsAccessFromWord(token.text);
    if (!access) {
      std::string hint = Hint(token.text, AccessWords());
      if (hint.empty()) hint = "paths are absolute: '/" + token.text + "'";
      Fail(token.span, "unknown access right '" + token.text + "'", hint);
      return;
    }
    rule.access |= *access;
  }
  if (rule.access == 0) {
    Fail(Peek().span, "'fs' needs an access right before its paths, e.g. 'fs read /etc'");
    return;
  }
  while (!AtStatementEnd()) {
    const Token& token = Next();
    if (token.kind == TokenKind::kPath || token.kind == TokenKind::kString) {
      if (token.text.empty() || token.text.front() != '/') {
        Fail(token.span, "path \"" + token.text + "\" is not absolute", "fs paths start with '/'");
        return;
      }
      rule.paths.push_back(token.text);
      continue;
    }
    Fail(token.span, "expected an absolute path, found " + Describe(token),
         token.kind == TokenKind::kWord ? "access rights come before the paths" : "");
    return;
  }
  if (rule.paths.empty()) {
    Fail(Peek().span, "'fs' needs at least one path, e.g. 'fs read /etc'");
    return;
  }
  const std::string trailing = EndStatement();
  if (failed_) return;
  rule.comment = TakeComment(trailing);
  context_.policy.fs_rules.push_back(std::move(rule));
}

void FileParser::ParseNet() {
  const Token keyword = Next();
  const Token& kind_token = Peek();
  NetRule::Kind kind;
  if (PeekWord("bind")) {
    kind = NetRule::Kind::kBind;
  } else if (PeekWord("connect")) {
    kind = NetRule::Kind::kConnect;
  } else {
    static constexpr std::string_view kKinds[] = {"bind", "connect"};
    Fail(kind_token.span, "expected 'bind' or 'connect' after 'net', found " + Describe(kind_token),
         kind_token.kind == TokenKind::kWord ? Hint(kind_token.text, kKinds) : "");
    return;
  }
  Next();
  const Token& protocol = Peek();
  if (!PeekWord("tcp")) {
    Fail(protocol.span, "expected 'tcp', found " + Describe(protocol),
         PeekWord("udp") ? "Landlock restricts TCP ports only" : "");
    return;
  }
  Next();
  std::vector<NetRule> rules;
  while (!AtStatementEnd()) {
    const Token& token = Next();
    if (token.kind != TokenKind::kNumber) {
      Fail(token.span, "expected a port number, found " + Describe(token));
      return;
    }
    if (token.value > 65535) {
      Fail(token.span, "port " + token.text + " is out of range 0..65535");
      return;
    }
    NetRule rule;
    rule.kind = kind;
    rule.port = static_cast<uint16_t>(token.value);
    rule.span = keyword.span;
    rules.push_back(rule);
  }
  if (rules.empty()) {
    Fail(Peek().span, "'net' needs at least one port, e.g. 'net connect tcp 443'");
    return;
  }
  const std::string trailing = EndStatement();
  if (failed_) return;
  rules.front().comment = TakeComment(trailing);
  for (NetRule& rule : rules) context_.policy.net_rules.push_back(std::move(rule));
}

}  // namespace sysfence::policy::parser_internal
