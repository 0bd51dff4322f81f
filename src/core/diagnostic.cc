// SPDX-License-Identifier: Apache-2.0
#include "core/diagnostic.h"

#include <algorithm>

namespace sysfence {

std::string SourceSpan::ToString() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (!json_path.empty()) {
    // A path inside a YAML document also has the line and column it came from.
    if (line != 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    return out + ": " + json_path;
  }
  if (line == 0) return out;
  out += ":" + std::to_string(line);
  if (column != 0) out += ":" + std::to_string(column);
  return out;
}

void Diagnostics::Add(Diagnostic diagnostic) {
  size_t& count = counts_[static_cast<int>(diagnostic.severity)];
  if (count++ < kMaxStoredDiagnostics) {
    items_.push_back(std::move(diagnostic));
  } else {
    ++dropped_;
  }
}
void Diagnostics::Error(SourceSpan span, std::string message, std::string hint) {
  Add({Severity::kError, std::move(span), std::move(message), std::move(hint)});
}
void Diagnostics::Warning(SourceSpan span, std::string message, std::string hint) {
  Add({Severity::kWarning, std::move(span), std::move(message), std::move(hint)});
}
void Diagnostics::Note(SourceSpan span, std::string message, std::string hint) {
  Add({Severity::kNote, std::move(span), std::move(message), std::move(hint)});
}
void Diagnostics::Append(const Diagnostics& other) {
  for (const Diagnostic& diagnostic : other.items_) Add(diagnostic);
  // What `other` only counted stays counted.
  for (int i = 0; i < 3; ++i) {
    size_t kept = 0;
    for (const Diagnostic& d : other.items_) kept += static_cast<int>(d.severity) == i ? 1 : 0;
    counts_[i] += other.counts_[i] - kept;
  }
  dropped_ += other.dropped_;
}
bool Diagnostics::HasErrors() const { return error_count() != 0; }
bool Diagnostics::HasWarnings() const { return warning_count() != 0; }

std::string RenderOmitted(const Diagnostics& diagnostics, size_t shown) {
  const size_t total = diagnostics.all().size() + diagnostics.dropped();
  if (shown >= total) return {};
  return std::to_string(total - shown) + " more diagnostics not shown (" + std::to_string(diagnostics.error_count()) +
         " errors, " + std::to_string(diagnostics.warning_count()) + " warnings in all)\n";
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
      uint32_t column = std::max<uint32_t>(diagnostic.span.column, 1);
      // A very long line (a minified file) is shown from a little before the span, not whole.
      constexpr size_t kShownLine = 160;
      if (text.size() > kShownLine) {
        const size_t from = column > kShownLine / 4 ? column - 1 - kShownLine / 4 : 0;
        text = text.substr(std::min(from, text.size()), kShownLine);
        column -= static_cast<uint32_t>(from);
      }
      out += "  " + std::string(text) + "\n";
      std::string marker(column - 1, ' ');
      // Keep tabs so the caret lines up under tab-indented text.
      for (size_t i = 0; i < marker.size() && i < text.size(); ++i) {
        if (text[i] == '\t') marker[i] = '\t';
      }
      const size_t after_caret = text.size() > column ? text.size() - column : 0;
      const size_t tildes = std::min<size_t>(diagnostic.span.length > 1 ? diagnostic.span.length - 1 : 0, after_caret);
      out += "  " + marker + "^" + std::string(tildes, '~') + "\n";
    }
  }
  if (!diagnostic.hint.empty()) out += "  hint: " + diagnostic.hint + "\n";
  return out;
}

}  // namespace sysfence
