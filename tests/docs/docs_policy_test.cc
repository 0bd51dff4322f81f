// SPDX-License-Identifier: Apache-2.0
// Every policy the documentation shows parses, so the docs cannot drift from the language:
// - each ```sfp block of docs/*.md and README.md parses (a block without an `arch` statement is a
//   fragment, checked after `arch x86_64`; an `include` reads as an empty file: the docs show the
//   including file);
// - each ```sfp-invalid block (a policy shown for its error) does not;
// - no untagged block reads as a policy (it would escape the check: tag it sfp);
// - the "policy line" column of docs/library.md (PolicyBuilder calls and the lines they stand
//   for) parses, cell by cell, where the cell is a whole statement (no "...").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "policy/parser.h"
#include "tests/docs/markdown_blocks.h"
#include "tests/support/test_paths.h"

namespace sysfence::docs_test {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// docs/*.md and README.md, by path relative to the source tree.
std::vector<std::string> DocumentPaths() {
  std::vector<std::string> paths = {"README.md"};
  for (const auto& entry : fs::directory_iterator(fs::path(test_paths::SourceDir()) / "docs")) {
    if (entry.path().extension() == ".md") paths.push_back("docs/" + entry.path().filename().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool HasArchStatement(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("arch ", 0) == 0 || line == "arch") return true;
  }
  return false;
}

// The parser's errors for a block, "" when it parses. `where` names the block in messages.
std::string ParseErrors(const std::string& text, const std::string& where) {
  const std::string policy = HasArchStatement(text) ? text : "arch x86_64\n" + text;
  policy::ParseOptions options;
  options.resolve_include = [](std::string_view path, std::string_view) -> Result<std::pair<std::string, std::string>> {
    return std::make_pair(std::string(path), std::string());
  };
  Diagnostics diagnostics;
  if (policy::ParsePolicy(policy, where, diagnostics, options)) return "";
  std::string errors;
  for (const Diagnostic& diagnostic : diagnostics.all()) errors += RenderDiagnostic(diagnostic, policy) + "\n";
  return errors.empty() ? "rejected without a diagnostic\n" : errors;
}

TEST(MarkdownBlocksTest, FindsFencedBlocksWithTagsIndentationAndLines) {
  const std::string markdown =
      "text\n```sfp\narch x86_64\nallow read\n```\n- item:\n\n  ```\n  a\n    b\n  ```\n````sh title\n```\n````\n";
  const std::vector<CodeBlock> blocks = FencedCodeBlocks(markdown);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].tag, "sfp");
  EXPECT_EQ(blocks[0].text, "arch x86_64\nallow read\n");
  EXPECT_EQ(blocks[0].line, 2u);
  EXPECT_EQ(blocks[1].tag, "");
  EXPECT_EQ(blocks[1].text, "a\n  b\n");
  EXPECT_EQ(blocks[1].line, 8u);
  EXPECT_EQ(blocks[2].tag, "sh");
  EXPECT_EQ(blocks[2].text, "```\n");
}

TEST(MarkdownBlocksTest, ReadsTheCodeOfOneTableColumn) {
  const std::string markdown =
      "| call | policy line |\n|---|---|\n| `A()` | `allow a` |\n| `B()` | `errno NAME\\|N` and `kill b` |\n\n"
      "| other | column |\n|---|---|\n| `x` | `y` |\n";
  const std::vector<CodeBlock> spans = TableColumnCode(markdown, "policy line");
  ASSERT_EQ(spans.size(), 2u);  // the other table has no such column; `kill b` is commentary
  EXPECT_EQ(spans[0].text, "allow a\n");
  EXPECT_EQ(spans[0].line, 3u);
  EXPECT_EQ(spans[1].text, "errno NAME|N\n");
}

TEST(MarkdownBlocksTest, TellsPoliciesFromOtherText) {
  EXPECT_TRUE(LooksLikePolicy("# a comment\narch x86_64\n\nallow read  # why\nfs read /etc\n"));
  EXPECT_TRUE(LooksLikePolicy("  kill mprotect if len <= 1\n"));
  EXPECT_FALSE(LooksLikePolicy("$ sysfence check web.sfp\nallow read\n"));
  EXPECT_FALSE(LooksLikePolicy("# only a comment\n"));
  EXPECT_FALSE(LooksLikePolicy("allowed: 3 syscalls\n"));
}

// The check itself catches what it is for: `fs read,write` (the defect of docs/library.md).
TEST(DocsPolicyTest, TheCheckRejectsWhatTheParserRejects) {
  EXPECT_NE(ParseErrors("fs read,write /var/lib/app\n", "t.md"), "");
  EXPECT_EQ(ParseErrors("fs read write /var/lib/app\n", "t.md"), "");
  EXPECT_EQ(ParseErrors("include \"x.sfp\"\nallow read\n", "t.md"), "");
}

TEST(DocsPolicyTest, EveryPolicyBlockOfTheDocsParses) {
  size_t checked = 0;
  for (const std::string& path : DocumentPaths()) {
    for (const CodeBlock& block : FencedCodeBlocks(ReadFile(fs::path(test_paths::SourceDir()) / path))) {
      const std::string where = path + " (block at line " + std::to_string(block.line) + ")";
      if (block.tag == "sfp") {
        EXPECT_EQ(ParseErrors(block.text, where), "") << where << ":\n" << block.text;
        ++checked;
      } else if (block.tag == "sfp-invalid") {
        EXPECT_NE(ParseErrors(block.text, where), "") << where << " is marked invalid but parses:\n" << block.text;
        ++checked;
      } else if (block.tag.empty()) {
        EXPECT_FALSE(LooksLikePolicy(block.text)) << where << " reads as a policy: tag it ```sfp\n" << block.text;
      }
    }
  }
  // The docs show policies: finding none means the extraction broke, not that all is well.
  EXPECT_GE(checked, 8u);
}

TEST(DocsPolicyTest, TheLibraryTableOfBuilderCallsShowsPolicyLines) {
  const std::vector<CodeBlock> cells =
      TableColumnCode(ReadFile(fs::path(test_paths::SourceDir()) / "docs/library.md"), "policy line");
  size_t checked = 0;
  for (const CodeBlock& cell : cells) {
    if (cell.text.find("...") != std::string::npos) continue;  // a shape, not a statement
    const std::string where = "docs/library.md:" + std::to_string(cell.line);
    EXPECT_EQ(ParseErrors(cell.text, where), "") << where << ": " << cell.text;
    ++checked;
  }
  EXPECT_GE(checked, 5u);
}

}  // namespace
}  // namespace sysfence::docs_test
