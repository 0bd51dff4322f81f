// SPDX-License-Identifier: Apache-2.0
#include "core/diagnostic.h"

#include <algorithm>

namespace sysfence {

std::string SourceSpan::ToString() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (!json_path.empty()) return out + ": " + json_path;
  if (line == 0) return out;
  out += ":" + std::to_string(line);
  if (column != 0) out += ":" + std::to_string(column);
  return out;
}

void Diagnostics::Error(SourceSpan span, std::string message, std::string hint) {
  items_.push_back({Severity::kError, std::move(span), std::move(message), std::move(hint)});
}
void Diagnostics::Warning(SourceSpan span, std::string message, std::string hint) {
  items_.push_back({Severity::kWarning, std::move(span), std::move(message), std::move(hint)});
}
void Diagnostics::Note(SourceSpan span, std::string message, std::string hint) {
  items_.push_back({Severity::kNote, std::move(span), std::move(message), std::move(hint)});
}
void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}
bool Diagnostics::HasErrors() const {
  return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; });
}
bool Diagnostics::HasWarnings() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kWarning; });
}

std::string RenderDiagnostic(const Diagnostic& diagnostic, std::string_view source) {
  static constexpr std::string_view kLabels[] = {"note", "warning", "error"};
  std::string out = diagnostic.span.ToString() + ": " +
                    std::string(kLabels[static_cast<int>(diagnostic.severity)]) + ": " + diagnostic.message + "\n";
  if (!source.empty() && diagnostic.span.line > 0) {
    // Find the span's line in the source text.
    size_t start = 0;
    for (uint32_t line = 1; line < diagnostic.span.line && start != std::string_view::npos; ++line) {
      start = source.find('\n', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start != std::string_view::npos && start <= source.size()) {
      size_t end = source.find('\n', start);
      std::string_view text = source.substr(start, end == std::string_view::npos ? end : end - start);
      out += "  " + std::string(text) + "\n";
      const uint32_t column = std::max<uint32_t>(diagnostic.span.column, 1);
      std::string marker(column - 1, ' ');
      // Keep tabs so the caret lines up under tab-indented text.
      for (size_t i = 0; i < marker.size() && i < text.size(); ++i) {
        if (text[i] == '\t') marker[i] = '\t';
      }
      out += "  " + marker + "^" + std::string(diagnostic.span.length > 1 ? diagnostic.span.length - 1 : 0, '~') + "\n";
    }
  }
  if (!diagnostic.hint.empty()) out += "  hint: " + diagnostic.hint + "\n";
  return out;
}

}  // namespace sysfence
