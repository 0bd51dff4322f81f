// SPDX-License-Identifier: Apache-2.0
#include "policy/lexer.h"

#include <algorithm>

#include <cctype>

#include "core/number_literal.h"

namespace sysfence::policy {
namespace {

bool IsWordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view file_name, Diagnostics& diagnostics)
      : text_(text), file_(file_name), diagnostics_(diagnostics) {}

  std::vector<Token> Run() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (IsBlank(c)) {
        Advance(1);
      } else if (c == '\n') {
        Emit(TokenKind::kNewline, 1);
        NewLine();
      } else if (c == '#') {
        LexComment();
      } else if (c == '\\') {
        LexContinuation();
      } else if (c == '"') {
        LexString();
      } else if (c == '/') {
        LexWhile(TokenKind::kPath, [](char ch) { return !IsBlank(ch) && ch != '\n' && ch != '#'; });
      } else if (c == '@') {
        const size_t start = pos_;
        size_t end = pos_ + 1;
        while (end < text_.size() && IsWordChar(text_[end])) ++end;
        if (end == start + 1) {
          diagnostics_.Error(SpanAt(start, 1), "expected a group name after '@'");
          Advance(1);
        } else {
          Emit(TokenKind::kGroup, end - start);
        }
      } else if (IsWordStart(c)) {
        LexWhile(TokenKind::kWord, IsWordChar);
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        LexNumber();
      } else {
        LexPunctuation(c);
      }
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.span = SpanAt(pos_, 0);
    tokens_.push_back(end);
    return std::move(tokens_);
  }

 private:
  SourceSpan SpanAt(size_t pos, size_t length) const {
    SourceSpan span;
    span.file = std::string(file_);
    span.line = line_;
    span.column = static_cast<uint32_t>(pos - line_start_ + 1);
    span.length = static_cast<uint32_t>(length);
    return span;
  }
  void Advance(size_t n) { pos_ += n; }
  // Called with pos_ just past a '\n'.
  void NewLine() {
    ++line_;
    line_start_ = pos_;
  }
  Token& Emit(TokenKind kind, size_t length) {
    Token token;
    token.kind = kind;
    token.text = std::string(text_.substr(pos_, length));
    token.span = SpanAt(pos_, length);
    tokens_.push_back(std::move(token));
    Advance(length);
    return tokens_.back();
  }
  template <typename Predicate>
  void LexWhile(TokenKind kind, Predicate keep) {
    size_t end = pos_ + 1;
    while (end < text_.size() && keep(text_[end])) ++end;
    Emit(kind, end - pos_);
  }

  void LexComment() {
    bool own_line = true;
    for (size_t i = line_start_; i < pos_; ++i) {
      if (!IsBlank(text_[i])) own_line = false;
    }
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view body = text_.substr(pos_ + 1, end - pos_ - 1);
    if (!body.empty() && body.front() == ' ') body.remove_prefix(1);
    while (!body.empty() && (body.back() == ' ' || body.back() == '\t' || body.back() == '\r')) body.remove_suffix(1);
    Token& token = Emit(TokenKind::kComment, end - pos_);
    token.text = std::string(body);
    token.own_line = own_line;
  }

  void LexContinuation() {
    size_t next = pos_ + 1;
    while (next < text_.size() && IsBlank(text_[next])) ++next;
    if (next >= text_.size()) {
      Advance(next - pos_);
      return;
    }
    if (text_[next] == '\n') {
      pos_ = next + 1;
      NewLine();
      return;
    }
    diagnostics_.Error(SpanAt(pos_, 1), "stray '\\': a backslash continues a statement only at the end of a line");
    Emit(TokenKind::kInvalid, 1).valid = false;
  }

  void LexString() {
    const size_t start = pos_;
    std::string value;
    size_t i = pos_ + 1;
    bool closed = false;
    while (i < text_.size() && text_[i] != '\n') {
      const char c = text_[i];
      if (c == '"') {
        closed = true;
        ++i;
        break;
      }
      if (c == '\\' && i + 1 < text_.size() && (text_[i + 1] == '"' || text_[i + 1] == '\\')) {
        value += text_[i + 1];
        i += 2;
        continue;
      }
      value += c;
      ++i;
    }
    if (!closed) {
      diagnostics_.Error(SpanAt(start, i - start), "unterminated string: missing closing '\"'");
    }
    Token& token = Emit(TokenKind::kString, i - start);
    token.text = std::move(value);
    token.valid = closed;
  }

  void LexNumber() {
    size_t end = pos_ + 1;
    while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) ++end;
    std::string_view literal = text_.substr(pos_, end - pos_);
    uint64_t value = 0;
    bool overflow = false;
    const bool parsed = ParseNumberLiteral(literal, value, overflow);
    if (!parsed && LexSize(literal)) return;
    if (!parsed) {
      diagnostics_.Error(SpanAt(pos_, literal.size()), "invalid number '" + std::string(literal) + "'");
    } else if (overflow) {
      diagnostics_.Error(SpanAt(pos_, literal.size()),
                         "number '" + std::string(literal) + "' does not fit in 64 bits");
    }
    const bool valid = parsed && !overflow;
    Token& token = Emit(TokenKind::kNumber, literal.size());
    token.value = value;
    token.valid = valid;
  }

  // A decimal number with one of the suffixes K, M, G, T (powers of 1024): a kSize token. False
  // when `literal` has another shape (then it is an invalid number).
  bool LexSize(std::string_view literal) {
    static constexpr std::string_view kSuffixes = "KMGT";
    const size_t suffix = kSuffixes.find(literal.back());
    std::string_view digits = literal.substr(0, literal.size() - 1);
    if (suffix == std::string_view::npos || digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    uint64_t value = 0;
    bool overflow = false;
    for (char c : digits) {
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (value > (~uint64_t{0} - digit) / 10) overflow = true;
      value = value * 10 + digit;
    }
    const int shift = 10 * static_cast<int>(suffix + 1);
    if (value > (~uint64_t{0} >> shift)) overflow = true;
    if (overflow) {
      diagnostics_.Error(SpanAt(pos_, literal.size()), "size '" + std::string(literal) + "' does not fit in 64 bits");
    }
    Token& token = Emit(TokenKind::kSize, literal.size());
    token.value = overflow ? 0 : value << shift;
    token.valid = !overflow;
    return true;
  }

  void LexPunctuation(char c) {
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    switch (c) {
      case '(': Emit(TokenKind::kLParen, 1); return;
      case ')': Emit(TokenKind::kRParen, 1); return;
      case '{': Emit(TokenKind::kLBrace, 1); return;
      case '}': Emit(TokenKind::kRBrace, 1); return;
      case ',': Emit(TokenKind::kComma, 1); return;
      case '-': Emit(TokenKind::kMinus, 1); return;
      case '&':
        if (next == '&') Emit(TokenKind::kAndAnd, 2); else Emit(TokenKind::kAmp, 1);
        return;
      case '|':
        if (next == '|') Emit(TokenKind::kOrOr, 2); else Emit(TokenKind::kPipe, 1);
        return;
      case '!':
        if (next == '=') Emit(TokenKind::kNe, 2); else Emit(TokenKind::kBang, 1);
        return;
      case '<':
        if (next == '=') Emit(TokenKind::kLe, 2); else Emit(TokenKind::kLt, 1);
        return;
      case '>':
        if (next == '=') Emit(TokenKind::kGe, 2); else Emit(TokenKind::kGt, 1);
        return;
      case '=':
        if (next == '=') {
          Emit(TokenKind::kEq, 2);
        } else {
          diagnostics_.Error(SpanAt(pos_, 1), "unexpected '=': comparisons use '=='");
          Emit(TokenKind::kEq, 1);  // recover as if '==' was meant
        }
        return;
      default: break;
    }
    // Report the whole UTF-8 sequence as one character.
    size_t length = 1;
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0xc0) {
      while (pos_ + length < text_.size() && (static_cast<unsigned char>(text_[pos_ + length]) & 0xc0) == 0x80) ++length;
    }
    std::string shown = std::isprint(byte) ? std::string(1, c) : std::string(text_.substr(pos_, length));
    if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      shown = std::string("\\x") + kHex[byte >> 4] + kHex[byte & 15];
    }
    diagnostics_.Error(SpanAt(pos_, 1), "unexpected character '" + shown + "'");
    Emit(TokenKind::kInvalid, length).valid = false;
  }

  std::string_view text_;
  std::string_view file_;
  Diagnostics& diagnostics_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWord: return "a name";
    case TokenKind::kGroup: return "a group";
    case TokenKind::kNumber: return "a number";
    case TokenKind::kSize: return "a size";
    case TokenKind::kString: return "a string";
    case TokenKind::kPath: return "a path";
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kLBrace: return "'{'";
    case TokenKind::kRBrace: return "'}'";
    case TokenKind::kComma: return "','";
    case TokenKind::kAmp: return "'&'";
    case TokenKind::kPipe: return "'|'";
    case TokenKind::kAndAnd: return "'&&'";
    case TokenKind::kOrOr: return "'||'";
    case TokenKind::kBang: return "'!'";
    case TokenKind::kMinus: return "'-'";
    case TokenKind::kEq: return "'=='";
    case TokenKind::kNe: return "'!='";
    case TokenKind::kLt: return "'<'";
    case TokenKind::kLe: return "'<='";
    case TokenKind::kGt: return "'>'";
    case TokenKind::kGe: return "'>='";
    case TokenKind::kInvalid: return "an invalid character";
    case TokenKind::kComment: return "a comment";
    case TokenKind::kNewline: return "end of line";
    case TokenKind::kEnd: return "end of file";
  }
  return "a token";
}

std::vector<Token> Lex(std::string_view text, std::string_view file_name, Diagnostics& diagnostics) {
  return Lexer(text, file_name, diagnostics).Run();
}

}  // namespace sysfence::policy
