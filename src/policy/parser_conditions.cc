// SPDX-License-Identifier: Apache-2.0
// The .sfp parser's conditions (`if ...`): ||, &&, !, comparisons, masks, sets, and their values.
#include <string>
#include <utility>
#include <vector>

#include "policy/arguments.h"
#include "policy/checks.h"
#include "policy/parser_internal.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy::parser_internal {

std::optional<Condition> FileParser::ParseOr(int depth) {
  return ParseChain(depth, TokenKind::kOrOr, Condition::Kind::kOr);
}

// Parses operands joined by `op` (`||` over `&&` operands, `&&` over unary operands).
std::optional<Condition> FileParser::ParseChain(int depth, TokenKind op, Condition::Kind kind) {
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

std::optional<Condition> FileParser::ParseUnary(int depth) {
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

std::optional<Condition> FileParser::ParsePrimary(int depth) {
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
std::optional<int> FileParser::ParseArgument() {
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
void FileParser::SetArgument(Comparison& compare, int arg) const {
  compare.arg = arg;
  if (argument_named_) compare.arg_name = argument_name_;
}

// `(ARG & MASK) == VALUE` or `(ARG & MASK) != VALUE` (the latter as `!((ARG & MASK) == VALUE)`).
std::optional<Condition> FileParser::ParseMasked() {
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

std::optional<Condition> FileParser::ParseComparison() {
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
std::optional<Condition> FileParser::ParseSet(int arg) {
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
std::optional<Value> FileParser::ParseValue() {
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

void FileParser::AddWidthCheck(int arg, const Value& value, bool is_mask) {
  if (pending_widths_ == nullptr) return;
  pending_widths_->push_back({0, arg, value.value, is_mask, argument_name_, argument_named_, value.span});
}

}  // namespace sysfence::policy::parser_internal
