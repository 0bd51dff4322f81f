// SPDX-License-Identifier: Apache-2.0
#include "policy/render.h"

namespace sysfence::policy {
namespace {

std::string Count(size_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

}  // namespace

std::string RenderDiagnostics(const Diagnostics& diagnostics, const std::map<std::string, std::string>& sources) {
  std::string out;
  size_t shown = 0;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (shown == kMaxRenderedDiagnostics) break;
    ++shown;
    auto it = sources.find(diagnostic.span.file);
    out += RenderDiagnostic(diagnostic, it == sources.end() ? std::string_view() : std::string_view(it->second));
  }
  out += RenderOmitted(diagnostics, shown);
  const size_t errors = diagnostics.error_count();
  const size_t warnings = diagnostics.warning_count();
  if (errors + warnings == 0) return out;
  if (errors != 0) out += Count(errors, "error");
  if (errors != 0 && warnings != 0) out += ", ";
  if (warnings != 0) out += Count(warnings, "warning");
  return out + "\n";
}

}  // namespace sysfence::policy
