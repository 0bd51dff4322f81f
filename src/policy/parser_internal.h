// SPDX-License-Identifier: Apache-2.0
// The .sfp parser's insides, shared by its four files: parser.cc (the entry point, name lists and
// the checks that need the whole policy), parser_statements.cc (statements: arch, default, include,
// rules, fs, net), parser_privileges.cc (caps, unshare, rlimit) and parser_conditions.cc
// (conditions and values). Not for use outside them.
#pragma once

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/action.h"
#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/lexer.h"
#include "policy/parser.h"
#include "policy/policy.h"
#include "policy/privileges.h"

namespace sysfence::policy::parser_internal {

inline constexpr size_t kMaxIncludeDepth = 16;
inline constexpr int kMaxConditionDepth = 100;

inline constexpr std::string_view kStatementKeywords[] = {
    "arch", "default", "badarch", "unknown", "include", "fs", "net", "caps", "unshare", "rlimit", "allow", "log", "errno",
    "kill", "kill-process", "kill-thread", "trap", "notify", "trace"};

/// "did you mean 'x'?" when `name` is close to one of `candidates`, else "".
std::string Hint(std::string_view name, std::span<const std::string_view> candidates);
/// ABI names and common aliases, for suggestions.
const std::vector<std::string_view>& ArchNames();
/// Syscall group names, for suggestions.
const std::vector<std::string_view>& GroupNames();
/// Constant names, for suggestions.
const std::vector<std::string_view>& ConstantNames();
/// `fs` access words, for suggestions.
const std::vector<std::string_view>& AccessWords();
/// `lines` joined with newlines.
std::string JoinLines(const std::vector<std::string>& lines);
/// A span from the start of `first` to the end of `last` when both are on one line.
SourceSpan Cover(const SourceSpan& first, const SourceSpan& last);
/// Reads included files from the file system, relative to the including file's folder.
Result<std::pair<std::string, std::string>> ReadIncludeFromDisk(std::string_view include_path,
                                                                 std::string_view including_file);

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
  std::optional<SourceSpan> arch_seen, default_seen, badarch_seen, unknown_seen, caps_seen, unshare_seen;
  bool arch_written = false;  // an arch statement was written, even a broken one
  std::vector<std::string> include_stack;
  std::vector<PendingWidth> widths;
  std::vector<PendingArgument> arguments;
  std::vector<PendingRuleArch> rule_arches;
};

/// Parses one file's tokens into the shared Context; includes are parsed by nested FileParsers.
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
      case TokenKind::kSize:
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

  void ParseStatement();

  void ParseArch();

  void ParseHeaderAction();

  // Parses an action whose keyword is `keyword` (already consumed), by the grammar of core/action.h.
  std::optional<Action> ParseAction(const Token& keyword);

  // The action of `result`, or nullopt after reporting its error at `span` (the tokens it read).
  std::optional<Action> Accepted(const SourceSpan& span, const ActionTextResult<Action>& result);
  std::nullopt_t Rejected(const SourceSpan& span, const ActionTextError& error);

  void ParseInclude();

  void ParseRule();
  // The syscalls and @groups of a rule up to `on`/`if`; unknown names are reported and clear
  // `targets_ok`. False when the statement failed.
  bool ParseRuleTargets(const Token& keyword, Rule& rule, bool& targets_ok);
  // `on ABI...` of a rule (the `on` not yet consumed). False when the statement failed.
  bool ParseRuleArches(Rule& rule, std::vector<PendingRuleArch>& rule_arches);

  void ParseFs();

  void ParseNet();

  // --- Privileges (parser_privileges.cc) ----------------------------------------------------

  // `caps keep CAP... | none`.
  void ParseCaps();

  // `unshare NS...`.
  void ParseUnshare();

  // `rlimit NAME SOFT [HARD]`.
  void ParseRlimit();

  // One limit value of `resource` (a number, a size for byte limits, or `unlimited`), or nullopt
  // after reporting why not.
  std::optional<uint64_t> ParseLimitValue(const ResourceEntry& resource);

  // --- Conditions ---------------------------------------------------------------------------

  std::optional<Condition> ParseOr(int depth);

  // Parses operands joined by `op` (`||` over `&&` operands, `&&` over unary operands).
  std::optional<Condition> ParseChain(int depth, TokenKind op, Condition::Kind kind);

  std::optional<Condition> ParseUnary(int depth);

  std::optional<Condition> ParsePrimary(int depth);

  // Resolves an argument word to its index, reporting problems at the word.
  std::optional<int> ParseArgument();

  // Sets the argument of `compare` to the one ParseArgument read last: its position, and its name
  // when named (resolved per ABI, or dropped, when the policy's ABIs are known; see Finish).
  void SetArgument(Comparison& compare, int arg) const;

  // `(ARG & MASK) == VALUE` or `(ARG & MASK) != VALUE` (the latter as `!((ARG & MASK) == VALUE)`).
  std::optional<Condition> ParseMasked();

  std::optional<Condition> ParseComparison();

  // `ARG in {A, B, ...}`: one value is `ARG == A`, more are `ARG == A || ARG == B || ...`.
  std::optional<Condition> ParseSet(int arg);

  // VALUE := TERM ('|' TERM)*, TERM := NUMBER | '-' NUMBER | CONSTANT.
  std::optional<Value> ParseValue();

  void AddWidthCheck(int arg, const Value& value, bool is_mask);

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

}  // namespace sysfence::policy::parser_internal
