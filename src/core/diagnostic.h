// SPDX-License-Identifier: Apache-2.0
// Diagnostics with source spans, collected (never printed) by the libraries and rendered by the CLI.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sysfence {

/// Where something is in a source: file, 1-based line and column, and length in bytes (0 = a point).
/// For JSON input, `file` is the file and `json_path` the path inside it ("$.syscalls[3].action").
struct SourceSpan {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t length = 0;
  std::string json_path;

  /// "file:line:col", "file: $.path", "file:line:col: $.path" (YAML), or "file" when nothing more is known.
  std::string ToString() const;
  friend bool operator==(const SourceSpan&, const SourceSpan&) = default;
};

/// How bad a diagnostic is.
enum class Severity : uint8_t { kNote, kWarning, kError };

/// One message about the input.
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceSpan span;
  std::string message;
  std::string hint;  ///< optional "did you mean ...?" or fix suggestion
};

/// How many diagnostics of each severity a Diagnostics keeps; later ones are only counted, so a
/// pathological input (100 000 duplicate rules) costs memory linear in nothing but this.
inline constexpr size_t kMaxStoredDiagnostics = 1000;

/// How many diagnostics the renderers print before summarizing the rest as "... and N more".
inline constexpr size_t kMaxRenderedDiagnostics = 100;

/// An ordered list of diagnostics with helpers. Keeps the first kMaxStoredDiagnostics of each
/// severity (so the first error is always kept) and counts every one.
class Diagnostics {
 public:
  /// Appends an error at `span`.
  void Error(SourceSpan span, std::string message, std::string hint = {});
  /// Appends a warning at `span`.
  void Warning(SourceSpan span, std::string message, std::string hint = {});
  /// Appends a note at `span`.
  void Note(SourceSpan span, std::string message, std::string hint = {});
  /// Appends all of `other`.
  void Append(const Diagnostics& other);

  /// True when at least one error was reported.
  bool HasErrors() const;
  /// True when at least one warning was reported.
  bool HasWarnings() const;
  /// The diagnostics kept, in the order reported.
  const std::vector<Diagnostic>& all() const { return items_; }
  /// True when nothing was reported.
  bool empty() const { return items_.empty(); }
  /// How many errors were reported, kept or not.
  size_t error_count() const { return counts_[static_cast<int>(Severity::kError)]; }
  /// How many warnings were reported, kept or not.
  size_t warning_count() const { return counts_[static_cast<int>(Severity::kWarning)]; }
  /// How many diagnostics were reported but not kept (beyond kMaxStoredDiagnostics).
  size_t dropped() const { return dropped_; }

 private:
  void Add(Diagnostic diagnostic);

  std::vector<Diagnostic> items_;
  size_t counts_[3] = {0, 0, 0};
  size_t dropped_ = 0;
};

/// "N more diagnostics not shown (E errors, W warnings in all)" for the diagnostics `shown` leaves
/// out, or "" when it shows them all.
std::string RenderOmitted(const Diagnostics& diagnostics, size_t shown);

/// Renders one diagnostic as "file:line:col: error: message", then (when `source` holds the file's
/// text) the source line and a caret under the span, then the hint. A long line is cut to the
/// stretch around the span.
std::string RenderDiagnostic(const Diagnostic& diagnostic, std::string_view source = {});

}  // namespace sysfence
