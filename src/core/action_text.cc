// SPDX-License-Identifier: Apache-2.0
// The action-text grammar of core/action.h: one reader for every front end.
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "core/action.h"
#include "core/errno_names.h"
#include "core/number_literal.h"
#include "core/suggest.h"

namespace sysfence {
namespace {

constexpr std::array<std::string_view, 9> kKeywords = {"allow", "log",         "errno", "kill",  "kill-process",
                                                       "kill-thread", "trap", "notify", "trace"};

std::string Hint(std::string_view name, std::span<const std::string_view> candidates) {
  auto nearest = NearestName(name, candidates);
  return nearest ? "did you mean '" + *nearest + "'?" : std::string();
}

ActionTextError MakeTextError(ActionTextError::Kind kind, size_t offset, size_t length, std::string message,
                              std::string hint = "") {
  return ActionTextError{kind, offset, length, std::move(message), std::move(hint)};
}

template <typename T>
ActionTextResult<T> Failed(ActionTextError error) {
  return ActionTextResult<T>{std::nullopt, std::move(error)};
}

// Moves `error` (found in a part of the text starting at `offset`) to its place in the whole text.
template <typename T>
ActionTextResult<T> Shifted(ActionTextResult<T> result, size_t offset) {
  if (!result.ok()) result.error.offset += offset;
  return result;
}

bool IsBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsKeywordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

size_t SkipBlanks(std::string_view text, size_t pos) {
  while (pos < text.size() && IsBlank(text[pos])) ++pos;
  return pos;
}

// The value `text` (offsets relative to it) for an action of `kind`.
ActionTextResult<Action> ParseValue(ActionKind kind, std::string_view keyword, std::string_view text,
                                    ActionTextMode mode) {
  if (ActionValueUseOf(kind) == ActionValueUse::kNone) {
    return Failed<Action>(MakeTextError(ActionTextError::Kind::kUnexpectedValue, 0, text.size(),
                                        "'" + std::string(keyword) + "' takes no value"));
  }
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (!digits.empty() && std::isdigit(static_cast<unsigned char>(digits[0]))) {
    uint64_t value = 0;
    bool overflow = false;
    if (!ParseNumberLiteral(digits, value, overflow)) {
      return Failed<Action>(MakeTextError(ActionTextError::Kind::kUnknownValue, 0, text.size(),
                                          "invalid number '" + std::string(text) + "'"));
    }
    if (overflow) value = ~uint64_t{0};
    return ActionWithNumber(kind, negative, value, text, mode);
  }
  if (negative) {
    return Failed<Action>(
        MakeTextError(ActionTextError::Kind::kUnknownValue, 0, text.size(), "expected an errno number after '-'"));
  }
  if (kind != ActionKind::kErrno) {
    return Failed<Action>(MakeTextError(ActionTextError::Kind::kUnknownValue, 0, text.size(),
                                        "'" + std::string(keyword) + "' data must be a number 0..65535, not '" +
                                            std::string(text) + "'"));
  }
  return ActionWithErrnoName(text);
}

// `value` parsed from text[value_start, value_end): errors move to their place, and nothing but
// blanks may follow.
ActionTextResult<Action> AfterValue(ActionTextResult<Action> value, std::string_view text, size_t value_start,
                                    size_t value_end) {
  if (!value.ok()) return Shifted(std::move(value), value_start);
  const size_t rest = SkipBlanks(text, value_end);
  if (rest < text.size()) {
    return Failed<Action>(MakeTextError(ActionTextError::Kind::kUnexpectedValue, rest, text.size() - rest,
                                        "unexpected '" + std::string(text.substr(rest)) + "' after the action"));
  }
  return value;
}

}  // namespace

ActionValueUse ActionValueUseOf(ActionKind kind) {
  switch (kind) {
    case ActionKind::kErrno: return ActionValueUse::kRequired;
    case ActionKind::kTrap:
    case ActionKind::kTrace: return ActionValueUse::kOptional;
    default: return ActionValueUse::kNone;
  }
}

std::span<const std::string_view> ActionKeywords() { return kKeywords; }

std::span<const std::string_view> ErrnoNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (int value = 1; value <= static_cast<int>(kMaxErrno); ++value) {
      if (std::string_view name = ErrnoName(value); !name.empty()) out.push_back(name);
    }
    return out;
  }();
  return names;
}

ActionTextResult<ActionKind> ParseActionKeyword(std::string_view word) {
  if (std::optional<ActionKind> kind = ActionKindFromKeyword(word)) return {kind, {}};
  std::string hint = Hint(word, kKeywords);
  if (hint.empty()) hint = "actions: allow, log, errno NAME, kill, kill-thread, trap, notify, trace";
  return Failed<ActionKind>(MakeTextError(ActionTextError::Kind::kUnknownAction, 0, word.size(),
                                          "unknown action '" + std::string(word) + "'", hint));
}

ActionTextResult<Action> ActionWithErrnoName(std::string_view name) {
  if (std::optional<int> value = ErrnoFromName(name)) return {Action::Errno(static_cast<uint16_t>(*value)), {}};
  return Failed<Action>(MakeTextError(ActionTextError::Kind::kUnknownValue, 0, name.size(),
                                      "unknown errno '" + std::string(name) + "'", Hint(name, ErrnoNames())));
}

ActionTextResult<Action> ActionWithNumber(ActionKind kind, bool negative, uint64_t value, std::string_view written,
                                          ActionTextMode mode) {
  const std::string keyword(ActionKeyword(kind));
  switch (ActionValueUseOf(kind)) {
    case ActionValueUse::kNone:
      return Failed<Action>(MakeTextError(ActionTextError::Kind::kUnexpectedValue, 0, written.size(),
                                          "'" + keyword + "' takes no value"));
    case ActionValueUse::kRequired: {
      const uint64_t low = mode == ActionTextMode::kPolicy ? 1 : 0;
      const uint64_t high = mode == ActionTextMode::kPolicy ? kMaxErrno : 0xffff;
      if (negative || value < low || value > high) {
        return Failed<Action>(MakeTextError(
            ActionTextError::Kind::kOutOfRange, 0, written.size(),
            "errno " + std::string(written) + " is out of range " + std::to_string(low) + ".." + std::to_string(high),
            "use an errno name such as EPERM or ENOSYS, or a number from 1 to 4095"));
      }
      return {Action{kind, static_cast<uint16_t>(value)}, {}};
    }
    case ActionValueUse::kOptional:
      if (negative || value > 0xffff) {
        return Failed<Action>(MakeTextError(ActionTextError::Kind::kOutOfRange, 0, written.size(),
                                            "'" + keyword + "' data " + std::string(written) +
                                                " is out of range 0..65535"));
      }
      return {Action{kind, static_cast<uint16_t>(value)}, {}};
  }
  return {Action{kind, 0}, {}};
}

ActionTextError MissingActionValue(ActionKind kind) {
  const std::string keyword(ActionKeyword(kind));
  return MakeTextError(ActionTextError::Kind::kMissingValue, 0, 0,
                       "'" + keyword + "' needs an errno name or number, e.g. '" + keyword + " EPERM'");
}

ActionTextResult<Action> ParseActionText(std::string_view text, ActionTextMode mode) {
  const size_t start = SkipBlanks(text, 0);
  size_t end = start;
  while (end < text.size() && IsKeywordChar(text[end])) ++end;
  if (end == start) {
    return Failed<Action>(MakeTextError(ActionTextError::Kind::kNoAction, start, 0,
                                        "expected an action such as 'allow', 'kill' or 'errno EPERM'"));
  }
  const std::string_view keyword = text.substr(start, end - start);
  ActionTextResult<ActionKind> kind = Shifted(ParseActionKeyword(keyword), start);
  if (!kind.ok()) return Failed<Action>(kind.error);

  size_t value_start = SkipBlanks(text, end);
  size_t value_end = value_start;
  const bool parenthesized = value_start < text.size() && text[value_start] == '(';
  if (parenthesized) {
    const size_t close = text.find(')', value_start);
    if (close == std::string_view::npos) {
      return Failed<Action>(MakeTextError(ActionTextError::Kind::kMalformed, value_start, text.size() - value_start,
                                          "'(' after '" + std::string(keyword) + "' is not closed"));
    }
    value_end = close + 1;
    value_start = SkipBlanks(text, value_start + 1);
    size_t inner_end = close;
    while (inner_end > value_start && IsBlank(text[inner_end - 1])) --inner_end;
    if (inner_end == value_start) {
      return Failed<Action>(MakeTextError(ActionTextError::Kind::kMalformed, value_start, 0,
                                          "'()' after '" + std::string(keyword) + "' holds no value"));
    }
    ActionTextResult<Action> value =
        ParseValue(*kind.value, keyword, text.substr(value_start, inner_end - value_start), mode);
    return AfterValue(std::move(value), text, value_start, value_end);
  }
  while (value_end < text.size() && !IsBlank(text[value_end])) ++value_end;
  if (value_start == value_end) {
    if (ActionValueUseOf(*kind.value) == ActionValueUse::kRequired) {
      ActionTextError error = MissingActionValue(*kind.value);
      error.offset = text.size();
      return Failed<Action>(error);
    }
    return {Action{*kind.value, 0}, {}};
  }
  ActionTextResult<Action> value =
      ParseValue(*kind.value, keyword, text.substr(value_start, value_end - value_start), mode);
  return AfterValue(std::move(value), text, value_start, value_end);
}

}  // namespace sysfence
