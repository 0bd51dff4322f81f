// SPDX-License-Identifier: Apache-2.0
// The text of a systemd drop-in as the exporter builds it: settings, comments, and warnings that
// go both into the file (as comments) and to the caller's diagnostics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"

namespace sysfence::formats::systemd {

/// Appends lines of a unit file; every warning is also reported to `diagnostics`.
class DropInText {
 public:
  explicit DropInText(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  /// "# text" (each line of a multi-line text commented).
  void Comment(std::string_view text);
  /// "[name]".
  void Section(std::string_view name) { text_ += "[" + std::string(name) + "]\n"; }
  /// A blank line.
  void Blank() { text_ += "\n"; }
  /// "Key=value".
  void Set(std::string_view key, std::string_view value);
  /// "Key=PREFIXa b c ..." with at most eight items a line (systemd merges repeated list settings);
  /// nothing when `items` is empty.
  void List(std::string_view key, std::string_view prefix, const std::vector<std::string>& items);
  /// "# warning: message" in the file and a warning at `span` in the diagnostics.
  void Warn(const SourceSpan& span, const std::string& message);

  /// What was written.
  const std::string& text() const { return text_; }

 private:
  Diagnostics& diagnostics_;
  std::string text_;
};

}  // namespace sysfence::formats::systemd
