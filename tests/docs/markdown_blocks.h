// SPDX-License-Identifier: Apache-2.0
// The code a Markdown document shows: fenced code blocks with their info string, and the code
// spans of a table column, each with the line it starts on (for messages).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sysfence::docs_test {

/// One fenced code block: ```tag ... ``` (also indented, as in a list item).
struct CodeBlock {
  std::string tag;   ///< the info string's first word: "sfp", "sh", "" (none)
  std::string text;  ///< the lines between the fences, with the opening fence's indentation removed
  size_t line = 0;   ///< 1-based line of the opening fence
};

/// Every fenced code block of `markdown`, in order. An unclosed block runs to the end.
std::vector<CodeBlock> FencedCodeBlocks(std::string_view markdown);

/// The first code span (`...`) of each cell in column `header` of every table of `markdown` whose
/// header row names that column (what follows it in the cell is commentary), with the line of its
/// row; tag is empty.
std::vector<CodeBlock> TableColumnCode(std::string_view markdown, std::string_view header);

/// Whether `text` reads as a policy: it has a line and every line that is not blank or a comment
/// starts with a statement keyword of the policy language.
bool LooksLikePolicy(std::string_view text);

}  // namespace sysfence::docs_test
