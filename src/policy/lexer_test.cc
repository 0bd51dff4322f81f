// SPDX-License-Identifier: Apache-2.0
#include "policy/lexer.h"

#include <gtest/gtest.h>

namespace sysfence::policy {
namespace {

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const Token& token : tokens) kinds.push_back(token.kind);
  return kinds;
}

TEST(LexerTest, EveryTokenKind) {
  Diagnostics diagnostics;
  const std::vector<Token> tokens =
      Lex("kill-thread @file-system 0x1f \"a b\" /etc/x ( ) { } , & | && || ! - == != < <= > >= # note\n", "t.sfp",
          diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(Kinds(tokens),
            (std::vector<TokenKind>{TokenKind::kWord, TokenKind::kGroup, TokenKind::kNumber, TokenKind::kString,
                                    TokenKind::kPath, TokenKind::kLParen, TokenKind::kRParen, TokenKind::kLBrace,
                                    TokenKind::kRBrace, TokenKind::kComma, TokenKind::kAmp, TokenKind::kPipe,
                                    TokenKind::kAndAnd, TokenKind::kOrOr, TokenKind::kBang, TokenKind::kMinus,
                                    TokenKind::kEq, TokenKind::kNe, TokenKind::kLt, TokenKind::kLe, TokenKind::kGt,
                                    TokenKind::kGe, TokenKind::kComment, TokenKind::kNewline, TokenKind::kEnd}));
  EXPECT_EQ(tokens[0].text, "kill-thread");
  EXPECT_EQ(tokens[1].text, "@file-system");
  EXPECT_EQ(tokens[2].value, 0x1fu);
  EXPECT_EQ(tokens[3].text, "a b");
  EXPECT_EQ(tokens[4].text, "/etc/x");
  EXPECT_EQ(tokens[22].text, "note");
  EXPECT_FALSE(tokens[22].own_line);
}

TEST(LexerTest, SpansAreOneBased) {
  Diagnostics diagnostics;
  const std::vector<Token> tokens = Lex("arch x86_64\n  allow  read\n", "t.sfp", diagnostics);
  ASSERT_GE(tokens.size(), 6u);
  EXPECT_EQ(tokens[1].span.ToString(), "t.sfp:1:6");
  EXPECT_EQ(tokens[1].span.length, 6u);
  EXPECT_EQ(tokens[3].span.ToString(), "t.sfp:2:3");
  EXPECT_EQ(tokens[4].span.ToString(), "t.sfp:2:10");
}

TEST(LexerTest, ContinuationJoinsLines) {
  Diagnostics diagnostics;
  const std::vector<Token> tokens = Lex("allow \\\nread\n", "t.sfp", diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(Kinds(tokens), (std::vector<TokenKind>{TokenKind::kWord, TokenKind::kWord, TokenKind::kNewline,
                                                   TokenKind::kEnd}));
  EXPECT_EQ(tokens[1].span.line, 2u);
}

TEST(LexerTest, CommentsKnowWhetherTheyStandAlone) {
  Diagnostics diagnostics;
  const std::vector<Token> tokens = Lex("  #  own  \nallow read #tail\n", "t.sfp", diagnostics);
  EXPECT_EQ(tokens[0].kind, TokenKind::kComment);
  EXPECT_TRUE(tokens[0].own_line);
  EXPECT_EQ(tokens[0].text, " own") << "one space after '#' and trailing blanks are dropped";
  EXPECT_EQ(tokens[4].kind, TokenKind::kComment);
  EXPECT_FALSE(tokens[4].own_line);
  EXPECT_EQ(tokens[4].text, "tail");
}

TEST(LexerTest, StringEscapes) {
  Diagnostics diagnostics;
  const std::vector<Token> tokens = Lex(R"("a\"b\\c")", "t.sfp", diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(tokens[0].text, "a\"b\\c");
}

TEST(LexerTest, ControlCharactersAreShownEscaped) {
  Diagnostics diagnostics;
  Lex(std::string("allow\x01"), "t.sfp", diagnostics);
  ASSERT_EQ(diagnostics.all().size(), 1u);
  EXPECT_EQ(diagnostics.all()[0].message, "unexpected character '\\x01'");
  EXPECT_EQ(diagnostics.all()[0].span.column, 6u);
}

}  // namespace
}  // namespace sysfence::policy
