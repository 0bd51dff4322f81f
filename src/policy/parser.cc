// SPDX-License-Identifier: Apache-2.0
// The .sfp parser: tokens -> Policy, with every check done at the token it concerns. One FileParser
// per file; includes are parsed recursively into the same Policy, in place.
#include "policy/parser.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "core/input_file.h"
#include "core/suggest.h"
#include "policy/arguments.h"
#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/lexer.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

constexpr size_t kMaxIncludeDepth = 16;
constexpr int kMaxConditionDepth = 100;

constexpr std::string_view kStatementKeywords[] = {
    "arch", "default", "badarch", "include", "fs", "net", "allow", "log", "errno",
    "kill", "kill-process", "kill-thread", "trap", "notify", "trace"};

std::string Hint(std::string_view name, std::span<const std::string_view> candidates) {
  auto nearest = NearestName(name, candidates);
  return nearest ? "did you mean '" + *nearest + "'?" : std::string();
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

// A span from the start of `first` to the end of `last` when both are on one line.
SourceSpan Cover(const SourceSpan& first, const SourceSpan& last) {
  SourceSpan span = first;
  if (last.line == first.line && last.column + last.length > first.column) {
    span.length = last.column + last.length - first.column;
  }
  return span;
}

// Reads included files from the file system, relative to the including file's folder.
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

// A value as written: the number, its spelling, where it is.
struct Value {
  uint64_t value = 0;
  std::string spelling;
  SourceSpan span;
};

// A width check that needs the policy's ABIs, which are known only at the end.
struct PendingWidth {
  size_t rule = 0;
  int arg = 0;
  uint64_t value = 0;
  bool is_mask = false;
  std::string arg_name;  // as written, for messages
  bool named = false;    // arg_name is a name, resolved per ABI (else argN)
  SourceSpan span;
};

// An argument a condition uses, checked against each of the rule's ABIs at the end.
struct PendingArgument {
  size_t rule = 0;
  Comparison compare;  // arg, and arg_name when named
  SourceSpan span;
};

// ABIs a rule is restricted to, checked against the policy's at the end.
struct PendingRuleArch {
  Arch arch;
  SourceSpan span;
};

// State shared by the files of one policy.
struct Context {
  Diagnostics diagnostics;
  const ParseOptions* options = nullptr;
  Policy policy;
  std::optional<SourceSpan> arch_seen, default_seen, badarch_seen;
  bool arch_written = false;  // an arch statement was written, even a broken one
  std::vector<std::string> include_stack;
  std::vector<PendingWidth> widths;
  std::vector<PendingArgument> arguments;
  std::vector<PendingRuleArch> rule_arches;
};

class FileParser {
 public:
  FileParser(Context& context, std::vector<Token> tokens, bool top_level)
      : context_(context), tokens_(std::move(tokens)), top_level_(top_level) {}

  void Run() {
    while (Peek().kind != TokenKind::kEnd) {
      const Token& token = Peek();
      if (token.kind == TokenKind::kNewline) {
        Next();
        continue;
      }
      if (token.kind == TokenKind::kComment) {
        pending_comments_.push_back(token.text);
        Next();
        continue;
      }
      failed_ = false;
      if (StatementIsMalformed()) {
        // The lexer reported it; further errors on the same statement would only be noise.
        pending_comments_.clear();
        SkipStatement();
        continue;
      }
      ParseStatement();
      if (failed_) SkipStatement();
    }
    // Comments after the last statement have nothing to attach to; they are dropped.
  }

 private:
  // --- Token cursor -------------------------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const {
    const size_t index = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[index];
  }
  const Token& Next() {
    const Token& token = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return token;
  }
  bool AtStatementEnd() const {
    const TokenKind kind = Peek().kind;
    return kind == TokenKind::kNewline || kind == TokenKind::kEnd || kind == TokenKind::kComment;
  }
  bool PeekWord(std::string_view word, size_t ahead = 0) const {
    return Peek(ahead).kind == TokenKind::kWord && Peek(ahead).text == word;
  }
  bool StatementIsMalformed() const {
    for (size_t i = pos_; i < tokens_.size(); ++i) {
      const TokenKind kind = tokens_[i].kind;
      if (kind == TokenKind::kNewline || kind == TokenKind::kEnd) break;
      if (!tokens_[i].valid) return true;
    }
    return false;
  }
  // The source text of the tokens from here to the end of the statement (blanks between tokens
  // kept as one space).
  std::string RestOfStatement() const {
    std::string out;
    const Token* previous = nullptr;
    for (size_t i = pos_; i < tokens_.size() && !IsStatementEnd(tokens_[i].kind); ++i) {
      const Token& token = tokens_[i];
      if (previous != nullptr && (token.span.line != previous->span.line ||
                                  token.span.column != previous->span.column + previous->span.length)) {
        out += ' ';
      }
      out += token.text;
      previous = &token;
    }
    return out;
  }
  static bool IsStatementEnd(TokenKind kind) {
    return kind == TokenKind::kNewline || kind == TokenKind::kEnd || kind == TokenKind::kComment;
  }
  void SkipStatement() {
    while (Peek().kind != TokenKind::kNewline && Peek().kind != TokenKind::kEnd) Next();
  }
  std::string Describe(const Token& token) const {
    switch (token.kind) {
      case TokenKind::kWord:
      case TokenKind::kNumber:
      case TokenKind::kPath:
      case TokenKind::kGroup: return "'" + token.text + "'";
      case TokenKind::kString: return "\"" + token.text + "\"";
      default: return std::string(TokenKindName(token.kind));
    }
  }

  // Reports an error and marks the statement as failed (the rest of its line is skipped).
  void Fail(const SourceSpan& span, std::string message, std::string hint = {}) {
    context_.diagnostics.Error(span, std::move(message), std::move(hint));
    failed_ = true;
  }
  // Expects the end of the statement; returns the trailing comment, if any.
  std::string EndStatement() {
    if (failed_) return {};
    if (!AtStatementEnd()) {
      Fail(Peek().span, "unexpected " + Describe(Peek()) + ": expected end of line");
      return {};
    }
    if (Peek().kind == TokenKind::kComment) return Next().text;
    return {};
  }
  // The comment for a statement: the pending comment lines plus the trailing comment.
  std::string TakeComment(const std::string& trailing) {
    std::vector<std::string> lines = std::move(pending_comments_);
    pending_comments_.clear();
    if (!trailing.empty()) lines.push_back(trailing);
    return JoinLines(lines);
  }
  // Header statements carry no comment of their own: the top file's comments before them become
  // the policy's leading comment; elsewhere they are dropped.
  void TakeHeaderComment(const std::string& trailing) {
    std::string comment = TakeComment(trailing);
    if (!top_level_ || comment.empty()) return;
    if (!context_.policy.comment.empty()) context_.policy.comment += '\n';
    context_.policy.comment += comment;
  }

  // --- Statements ---------------------------------------------------------------------------

  void ParseStatement() {
    const Token& first = Peek();
    if (first.kind != TokenKind::kWord) {
      Fail(first.span, "expected a statement, found " + Describe(first),
           first.kind == TokenKind::kGroup ? "a rule starts with its action: 'allow " + first.text + "'" : "");
      return;
    }
    const std::string& word = first.text;
    if (word == "arch") return ParseArch();
    if (word == "default" || word == "badarch") return ParseHeaderAction();
    if (word == "include") return ParseInclude();
    if (word == "fs") return ParseFs();
    if (word == "net") return ParseNet();
    if (ActionKindFromKeyword(word)) return ParseRule();
    std::string hint = Hint(word, kStatementKeywords);
    if (hint.empty() && syscalls::IsKnownName(word)) hint = "a rule starts with its action: 'allow " + word + "'";
    Fail(first.span, "unknown statement '" + word + "'", hint);
  }

  void ParseArch() {
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

  void ParseHeaderAction() {
    const Token keyword = Next();
    const bool is_default = keyword.text == "default";
    std::optional<SourceSpan>& seen = is_default ? context_.default_seen : context_.badarch_seen;
    if (seen) {
      Fail(keyword.span, "'" + keyword.text + "' appears twice", "the first is at " + seen->ToString());
      return;
    }
    if (AtStatementEnd()) {
      Fail(Peek().span, "'" + keyword.text + "' needs an action, e.g. '" + keyword.text + " errno EPERM'");
      return;
    }
    std::optional<Action> action = ParseAction(Next());
    if (!action) return;
    const std::string trailing = EndStatement();
    if (failed_) return;
    TakeHeaderComment(trailing);
    seen = keyword.span;
    if (is_default) {
      context_.policy.default_action = *action;
      context_.policy.default_span = keyword.span;
    } else {
      context_.policy.badarch_action = *action;
      context_.policy.badarch_span = keyword.span;
    }
  }

  // Parses an action whose keyword is `keyword` (already consumed), by the grammar of core/action.h.
  std::optional<Action> ParseAction(const Token& keyword) {
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
  std::optional<Action> Accepted(const SourceSpan& span, const ActionTextResult<Action>& result) {
    if (!result.ok()) return Rejected(span, result.error);
    return result.value;
  }
  std::nullopt_t Rejected(const SourceSpan& span, const ActionTextError& error) {
    Fail(span, error.message, error.hint);
    return std::nullopt;
  }

  void ParseInclude() {
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

  void ParseRule() {
    const Token keyword = Peek();
    std::optional<Action> action = ParseAction(Next());
    if (!action) return;
    Rule rule;
    rule.action = *action;
    rule.span = keyword.span;
    bool targets_ok = true;
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
        return;
      }
      rule.targets.push_back(token.text);
    }
    if (rule.targets.empty()) {
      Fail(Peek().span, "'" + keyword.text + "' needs at least one syscall or @group, e.g. '" + keyword.text + " read'");
      return;
    }
    std::vector<PendingRuleArch> rule_arches;
    if (PeekWord("on")) {
      const Token on = Next();
      while (!AtStatementEnd() && !PeekWord("if")) {
        const Token& token = Next();
        std::optional<Arch> arch = token.kind == TokenKind::kWord ? ArchFromName(token.text) : std::nullopt;
        if (!arch) {
          Fail(token.span, "unknown ABI " + Describe(token), Hint(token.text, ArchNames()));
          return;
        }
        if (std::find(rule.only_arches.begin(), rule.only_arches.end(), *arch) != rule.only_arches.end()) {
          Fail(token.span, "ABI " + std::string(ArchName(*arch)) + " is listed twice");
          return;
        }
        rule.only_arches.push_back(*arch);
        rule_arches.push_back({*arch, token.span});
      }
      if (rule.only_arches.empty()) {
        Fail(on.span, "'on' needs at least one ABI, e.g. 'on x86_64'");
        return;
      }
    }
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

  void ParseFs() {
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

  void ParseNet() {
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

  // --- Conditions ---------------------------------------------------------------------------

  std::optional<Condition> ParseOr(int depth) {
    return ParseChain(depth, TokenKind::kOrOr, Condition::Kind::kOr);
  }

  // Parses operands joined by `op` (`||` over `&&` operands, `&&` over unary operands).
  std::optional<Condition> ParseChain(int depth, TokenKind op, Condition::Kind kind) {
    auto operand = [&]() { return op == TokenKind::kOrOr ? ParseChain(depth, TokenKind::kAndAnd, Condition::Kind::kAnd)
                                                          : ParseUnary(depth); };
    std::optional<Condition> first = operand();
    if (!first) return std::nullopt;
    if (Peek().kind != op) return first;
    Condition chain;
    chain.kind = kind;
    chain.children.push_back(std::move(*first));
    while (Peek().kind == op) {
      Next();
      std::optional<Condition> next = operand();
      if (!next) return std::nullopt;
      chain.children.push_back(std::move(*next));
    }
    return chain;
  }

  std::optional<Condition> ParseUnary(int depth) {
    if (depth > kMaxConditionDepth) {
      Fail(Peek().span, "condition nested too deeply (more than " + std::to_string(kMaxConditionDepth) + " levels)");
      return std::nullopt;
    }
    if (Peek().kind == TokenKind::kBang) {
      Next();
      std::optional<Condition> child = ParseUnary(depth + 1);
      if (!child) return std::nullopt;
      Condition negation;
      negation.kind = Condition::Kind::kNot;
      negation.children.push_back(std::move(*child));
      return negation;
    }
    return ParsePrimary(depth);
  }

  std::optional<Condition> ParsePrimary(int depth) {
    const Token& token = Peek();
    if (token.kind == TokenKind::kLParen) {
      if (Peek(1).kind == TokenKind::kWord && Peek(2).kind == TokenKind::kAmp) return ParseMasked();
      Next();
      std::optional<Condition> inner = ParseOr(depth + 1);
      if (!inner) return std::nullopt;
      if (Peek().kind != TokenKind::kRParen) {
        Fail(Peek().span, "expected ')', found " + Describe(Peek()));
        return std::nullopt;
      }
      Next();
      return inner;
    }
    if (token.kind == TokenKind::kWord) return ParseComparison();
    Fail(token.span, "expected a condition, found " + Describe(token));
    return std::nullopt;
  }

  // Resolves an argument word to its index, reporting problems at the word.
  std::optional<int> ParseArgument() {
    const Token& token = Next();
    if (token.kind != TokenKind::kWord) {
      Fail(token.span, "expected an argument (arg0..arg5 or its name), found " + Describe(token));
      return std::nullopt;
    }
    Problem problem;
    std::optional<int> index = ResolveArgument(token.text, syscalls_, problem);
    if (!index) {
      Fail(token.span, problem.message, problem.hint);
      return std::nullopt;
    }
    if (*index > kMaxArgIndex) {
      if (auto use = CheckArgumentUse(*index, syscalls_)) {
        Fail(token.span, use->message, use->hint);
        return std::nullopt;
      }
    }
    argument_name_ = token.text;
    argument_named_ = !token.text.starts_with("arg") || token.text.size() < 4 ||
                      token.text.find_first_not_of("0123456789", 3) != std::string::npos;
    // Whether the argument exists and is no pointer depends on the ABIs, known only at the end.
    if (pending_arguments_ != nullptr) {
      PendingArgument pending;
      pending.compare.arg = *index;
      if (argument_named_) pending.compare.arg_name = token.text;
      pending.span = token.span;
      pending_arguments_->push_back(std::move(pending));
    }
    return index;
  }

  // Sets the argument of `compare` to the one ParseArgument read last: its position, and its name
  // when named (resolved per ABI, or dropped, when the policy's ABIs are known; see Finish).
  void SetArgument(Comparison& compare, int arg) const {
    compare.arg = arg;
    if (argument_named_) compare.arg_name = argument_name_;
  }

  // `(ARG & MASK) == VALUE` or `(ARG & MASK) != VALUE` (the latter as `!((ARG & MASK) == VALUE)`).
  std::optional<Condition> ParseMasked() {
    Next();  // (
    std::optional<int> arg = ParseArgument();
    if (!arg) return std::nullopt;
    Next();  // &
    std::optional<Value> mask = ParseValue();
    if (!mask) return std::nullopt;
    if (Peek().kind != TokenKind::kRParen) {
      Fail(Peek().span, "expected ')' after the mask, found " + Describe(Peek()));
      return std::nullopt;
    }
    Next();
    const Token& op = Peek();
    if (op.kind != TokenKind::kEq && op.kind != TokenKind::kNe) {
      Fail(op.span, "a masked argument must be compared with '==' or '!=', found " + Describe(op),
           "write '(x & MASK) == VALUE'");
      return std::nullopt;
    }
    Next();
    std::optional<Value> value = ParseValue();
    if (!value) return std::nullopt;
    Condition condition;
    SetArgument(condition.compare, *arg);
    condition.compare.op = CompareOp::kMaskedEq;
    condition.compare.mask = mask->value;
    condition.compare.mask_spelling = mask->spelling;
    condition.compare.value = value->value;
    condition.compare.value_spelling = value->spelling;
    AddWidthCheck(*arg, *mask, true);
    AddWidthCheck(*arg, *value, false);
    if (op.kind == TokenKind::kEq) return condition;
    Condition negation;
    negation.kind = Condition::Kind::kNot;
    negation.children.push_back(std::move(condition));
    return negation;
  }

  std::optional<Condition> ParseComparison() {
    std::optional<int> arg = ParseArgument();
    if (!arg) return std::nullopt;
    const Token& op = Next();
    CompareOp compare_op;
    switch (op.kind) {
      case TokenKind::kEq: compare_op = CompareOp::kEq; break;
      case TokenKind::kNe: compare_op = CompareOp::kNe; break;
      case TokenKind::kLt: compare_op = CompareOp::kLt; break;
      case TokenKind::kLe: compare_op = CompareOp::kLe; break;
      case TokenKind::kGt: compare_op = CompareOp::kGt; break;
      case TokenKind::kGe: compare_op = CompareOp::kGe; break;
      case TokenKind::kWord:
        if (op.text == "in") return ParseSet(*arg);
        [[fallthrough]];
      default:
        Fail(op.span, "expected a comparison (== != < <= > >= in) after '" + argument_name_ + "', found " + Describe(op),
             op.kind == TokenKind::kAmp ? "a masked test needs parentheses: '(" + argument_name_ + " & MASK) == VALUE'"
                                        : "");
        return std::nullopt;
    }
    std::optional<Value> value = ParseValue();
    if (!value) return std::nullopt;
    AddWidthCheck(*arg, *value, false);
    Condition condition;
    SetArgument(condition.compare, *arg);
    condition.compare.op = compare_op;
    condition.compare.value = value->value;
    condition.compare.value_spelling = value->spelling;
    return condition;
  }

  // `ARG in {A, B, ...}`: one value is `ARG == A`, more are `ARG == A || ARG == B || ...`.
  std::optional<Condition> ParseSet(int arg) {
    if (Peek().kind != TokenKind::kLBrace) {
      Fail(Peek().span, "expected '{' after 'in', found " + Describe(Peek()), "write 'x in {A, B}'");
      return std::nullopt;
    }
    const Token open = Next();
    std::vector<Condition> members;
    if (Peek().kind == TokenKind::kRBrace) {
      Fail(Cover(open.span, Peek().span), "empty set: 'in' needs at least one value");
      return std::nullopt;
    }
    while (true) {
      std::optional<Value> value = ParseValue();
      if (!value) return std::nullopt;
      AddWidthCheck(arg, *value, false);
      Condition member;
      SetArgument(member.compare, arg);
      member.compare.op = CompareOp::kEq;
      member.compare.value = value->value;
      member.compare.value_spelling = value->spelling;
      members.push_back(std::move(member));
      if (Peek().kind == TokenKind::kComma) {
        Next();
        continue;
      }
      if (Peek().kind == TokenKind::kRBrace) {
        Next();
        break;
      }
      Fail(Peek().span, "expected ',' or '}' in the set, found " + Describe(Peek()));
      return std::nullopt;
    }
    if (members.size() == 1) return std::move(members.front());
    Condition any;
    any.kind = Condition::Kind::kOr;
    any.children = std::move(members);
    return any;
  }

  // VALUE := TERM ('|' TERM)*, TERM := NUMBER | '-' NUMBER | CONSTANT.
  std::optional<Value> ParseValue() {
    Value result;
    SourceSpan last;
    while (true) {
      const Token& token = Next();
      uint64_t term = 0;
      std::string spelling;
      if (token.kind == TokenKind::kNumber) {
        term = token.value;
        spelling = token.text;
        last = token.span;
      } else if (token.kind == TokenKind::kMinus) {
        const Token& number = Next();
        if (number.kind != TokenKind::kNumber) {
          Fail(number.span, "expected a number after '-', found " + Describe(number));
          return std::nullopt;
        }
        if (number.value > (uint64_t{1} << 63)) {
          Fail(Cover(token.span, number.span), "number -" + number.text + " is below -2^63");
          return std::nullopt;
        }
        term = ~number.value + 1;
        spelling = "-" + number.text;
        last = number.span;
      } else if (token.kind == TokenKind::kWord) {
        const syscalls::Constant* constant = syscalls::FindConstant(token.text);
        if (!constant) {
          Fail(token.span, "unknown constant '" + token.text + "'", Hint(token.text, ConstantNames()));
          return std::nullopt;
        }
        term = constant->value;
        spelling = token.text;
        last = token.span;
      } else {
        Fail(token.span, "expected a value (a number or a constant), found " + Describe(token));
        return std::nullopt;
      }
      if (result.spelling.empty()) {
        result.span = token.span;
      } else {
        result.spelling += " | ";
      }
      result.value |= term;
      result.spelling += spelling;
      if (Peek().kind != TokenKind::kPipe) break;
      Next();
    }
    result.span = Cover(result.span, last);
    return result;
  }

  void AddWidthCheck(int arg, const Value& value, bool is_mask) {
    if (pending_widths_ == nullptr) return;
    pending_widths_->push_back({0, arg, value.value, is_mask, argument_name_, argument_named_, value.span});
  }

  Context& context_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  bool top_level_;
  bool failed_ = false;
  std::vector<std::string> pending_comments_;
  // While parsing a condition: the rule's syscalls, the argument word last read, width checks.
  std::vector<std::string> syscalls_;
  std::string argument_name_;
  bool argument_named_ = false;
  std::vector<PendingWidth>* pending_widths_ = nullptr;
  std::vector<PendingArgument>* pending_arguments_ = nullptr;
};

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
