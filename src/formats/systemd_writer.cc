// SPDX-License-Identifier: Apache-2.0
#include "formats/systemd_writer.h"

#include <algorithm>

namespace sysfence::formats::systemd {

void DropInText::Comment(std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\\') line += '.';  // a trailing backslash would continue the line
    text_ += line.empty() ? "#\n" : "# " + line + "\n";
    start = end + 1;
  }
}

void DropInText::Set(std::string_view key, std::string_view value) {
  text_ += std::string(key) + "=" + std::string(value) + "\n";
}

void DropInText::List(std::string_view key, std::string_view prefix, const std::vector<std::string>& items) {
  constexpr size_t kPerLine = 8;
  for (size_t i = 0; i < items.size(); i += kPerLine) {
    std::string line = std::string(key) + "=" + std::string(prefix);
    for (size_t j = i; j < items.size() && j < i + kPerLine; ++j) line += (j == i ? "" : " ") + items[j];
    text_ += line + "\n";
  }
}

void DropInText::Warn(const SourceSpan& span, const std::string& message) {
  Comment("warning: " + message);
  diagnostics_.Warning(span, message);
}

}  // namespace sysfence::formats::systemd
