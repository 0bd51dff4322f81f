// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/global_options.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours
// ("reocrd" is one step from "record").
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

const char* TintCode(Tint tint) {
  switch (tint) {
    case Tint::kError: return "\033[1;31m";
    case Tint::kWarning: return "\033[1;33m";
    case Tint::kNote: return "\033[1;36m";
  }
  return "";
}

}  // namespace

GlobalOptions& Globals() {
  static GlobalOptions options;
  return options;
}

void AddGlobalOptions(CLI::App& app) {
  GlobalOptions& options = Globals();
  app.add_flag("-q,--quiet", options.quiet, "Errors only: no summaries, notes or progress on stderr (every command)");
  app.add_flag("-v,--verbose", options.verbose, "More detail (every command; its --help says what)");
  OneOf(app.add_option("--color", options.color, "auto (default: on a terminal, unless NO_COLOR is set), always or never"),
        {"auto", "always", "never"});
  // Subcommands created from here on inherit this: an option a command does not know is looked
  // up here, so the global options work after the command name too.
  app.fallthrough();
}

bool UseColor(std::FILE* stream) {
  const std::string& mode = Globals().color;
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fileno(stream)) == 1;
}

std::string Paint(std::string_view text, Tint tint, std::FILE* stream) {
  if (!UseColor(stream)) return std::string(text);
  return std::string(TintCode(tint)) + std::string(text) + "\033[0m";
}

std::string PaintDiagnostics(std::string text, std::FILE* stream) {
  if (!UseColor(stream)) return text;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string line = text.substr(start, end - start);
    // The first label of a line is its severity ("file:1:2: error: ...", "sysfence: warning: ...").
    for (const auto& [label, tint] : {std::pair{" error:", Tint::kError}, std::pair{" warning:", Tint::kWarning},
                                      std::pair{" note:", Tint::kNote}}) {
      const size_t at = line.find(label);
      if (at == std::string::npos) continue;
      line = line.substr(0, at + 1) + Paint(std::string_view(label).substr(1), tint, stream) +
             line.substr(at + std::string_view(label).size());
      break;
    }
    out += line;
    start = end;
  }
  return out;
}

std::optional<std::string> NearestName(std::string_view word, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  size_t best_distance = 3;  // suggest nothing further than two edits away
  for (const std::string& name : names) {
    size_t distance = EditDistance(word, name);
    if (word.size() >= 2 && name.starts_with(word)) distance = std::min<size_t>(distance, 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = name;
    }
  }
  return best;
}

std::optional<std::string> UnknownCommand(const CLI::App& app, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (arg == "--color") {
      ++i;  // its value
      continue;
    }
    if (arg.starts_with("-")) continue;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(std::string(arg))) return std::nullopt;
    }
    return std::string(arg);
  }
  return std::nullopt;
}

}  // namespace sysfence::cli
