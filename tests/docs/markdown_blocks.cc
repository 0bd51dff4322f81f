// SPDX-License-Identifier: Apache-2.0
#include "tests/docs/markdown_blocks.h"

#include <algorithm>
#include <regex>

namespace sysfence::docs_test {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string_view Trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The cells of a table row "| a | b \| c |": split at unescaped bars, `\|` kept as `|`.
std::vector<std::string> Cells(std::string_view row) {
  std::vector<std::string> cells;
  std::string cell;
  row = Trimmed(row);
  for (size_t i = 1; i < row.size(); ++i) {  // past the leading bar
    if (row[i] == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (row[i] == '|') {
      cells.emplace_back(Trimmed(cell));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return cells;
}

}  // namespace

std::vector<CodeBlock> FencedCodeBlocks(std::string_view markdown) {
  static const std::regex kOpening(R"(^([ \t]*)(```+)[ \t]*([^ \t`]*).*$)");
  std::vector<CodeBlock> blocks;
  const std::vector<std::string_view> lines = Lines(markdown);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::match_results<std::string_view::const_iterator> match;
    if (!std::regex_match(lines[i].begin(), lines[i].end(), match, kOpening)) continue;
    CodeBlock block;
    block.tag = match[3].str();
    block.line = i + 1;
    const size_t indent = static_cast<size_t>(match[1].length());
    const std::string fence = match[2].str();
    for (++i; i < lines.size(); ++i) {
      const std::string_view line = lines[i];
      if (Trimmed(line).starts_with(fence) && Trimmed(line).find_first_not_of('`') == std::string_view::npos) break;
      const size_t strip = std::min(indent, line.find_first_not_of(" \t") == std::string_view::npos
                                                ? line.size()
                                                : line.find_first_not_of(" \t"));
      block.text += std::string(line.substr(strip)) + "\n";
    }
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::vector<CodeBlock> TableColumnCode(std::string_view markdown, std::string_view header) {
  std::vector<CodeBlock> spans;
  const std::vector<std::string_view> lines = Lines(markdown);
  constexpr size_t kNoColumn = ~size_t{0};
  bool in_table = false;
  size_t column = kNoColumn;  // of the table being read
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!Trimmed(lines[i]).starts_with("|")) {
      in_table = false;
      continue;
    }
    const std::vector<std::string> cells = Cells(lines[i]);
    if (!in_table) {  // a header row
      in_table = true;
      auto it = std::find(cells.begin(), cells.end(), header);
      column = it == cells.end() ? kNoColumn : static_cast<size_t>(it - cells.begin());
      continue;
    }
    if (column >= cells.size() || cells[column].find("---") == 0) continue;
    const std::string& cell = cells[column];
    const size_t open = cell.find('`');
    const size_t close = open == std::string::npos ? open : cell.find('`', open + 1);
    if (close != std::string::npos) spans.push_back({"", cell.substr(open + 1, close - open - 1) + "\n", i + 1});
  }
  return spans;
}

bool LooksLikePolicy(std::string_view text) {
  static const std::regex kStatement(
      R"(^[ \t]*(arch|default|badarch|unknown|allow|errno|kill|kill-thread|trap|log|notify|trace|fs|net|caps|)"
      R"(unshare|rlimit|include)([ \t].*)?$)");
  bool statement = false;
  for (std::string_view line : Lines(text)) {
    const std::string_view trimmed = Trimmed(line);
    if (trimmed.empty() || trimmed.starts_with("#")) continue;
    if (!std::regex_match(line.begin(), line.end(), kStatement)) return false;
    statement = true;
  }
  return statement;
}

}  // namespace sysfence::docs_test
