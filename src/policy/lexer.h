// SPDX-License-Identifier: Apache-2.0
// The .sfp lexer: text -> tokens with source spans. Statements end at a newline (a `\` at the end of
// a line continues it), `#` starts a comment that runs to the end of the line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"

namespace sysfence::policy {

/// The kinds of token of the policy language.
enum class TokenKind : uint8_t {
  kWord,       ///< a name: keyword, syscall, constant, arch, argument ("kill-thread", "x86_64", "arg0")
  kGroup,      ///< "@name"
  kNumber,     ///< unsigned literal: decimal, 0x hex, 0 octal, 0b binary (the sign is a separate token)
  kString,     ///< "quoted text" (text holds the unescaped contents)
  kPath,       ///< an unquoted word that starts with '/'
  kSize,       ///< a decimal number with a binary size suffix: 64K, 64M, 2G, 1T (value holds the bytes)
  kLParen,     ///< (
  kRParen,     ///< )
  kLBrace,     ///< {
  kRBrace,     ///< }
  kComma,      ///< ,
  kAmp,        ///< &
  kPipe,       ///< |
  kAndAnd,     ///< &&
  kOrOr,       ///< ||
  kBang,       ///< !
  kMinus,      ///< -
  kEq,         ///< ==
  kNe,         ///< !=
  kLt,         ///< <
  kLe,         ///< <=
  kGt,         ///< >
  kGe,         ///< >=
  kInvalid,    ///< a character that starts no token (already reported)
  kComment,    ///< "# text" (text holds what follows '#', one leading space removed)
  kNewline,    ///< end of a statement
  kEnd,        ///< end of input
};

/// One token. `text` is the source text (for kString the unescaped contents, for kComment the
/// comment's text); `value` is set for kNumber and kSize.
struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  uint64_t value = 0;
  SourceSpan span;
  /// For kComment: true when the comment is alone on its line (nothing but blanks before it).
  bool own_line = false;
  /// False when the lexer reported this token as malformed (kInvalid, an unterminated string, a
  /// bad number): the parser skips the statement without piling further errors on it.
  bool valid = true;
};

/// Human name of a token kind for error messages ("'('", "a number", "end of line").
std::string_view TokenKindName(TokenKind kind);

/// Splits `text` (read from `file_name`) into tokens, ending with kEnd. Malformed input (an unknown
/// character, an unterminated string, a number too large for 64 bits, a stray `\`) is reported to
/// `diagnostics` and skipped, so lexing always finishes.
std::vector<Token> Lex(std::string_view text, std::string_view file_name, Diagnostics& diagnostics);

}  // namespace sysfence::policy
