// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/cli_util.h"

#include <cstdio>

#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"

namespace sysfence::cli {

int ReportError(const Error& error) {
  std::fprintf(stderr, "sysfence: %s %s\n", Paint("error:", Tint::kError, stderr).c_str(), error.message.c_str());
  switch (error.code) {
    case ErrorCode::kPermission:
    case ErrorCode::kOs:
    case ErrorCode::kUnsupported:
    case ErrorCode::kInternal: return kExitFailure;
    default: return kExitBadInput;
  }
}

int BadInput(const std::string& message) {
  std::fprintf(stderr, "sysfence: %s %s\n", Paint("error:", Tint::kError, stderr).c_str(), message.c_str());
  return kExitBadInput;
}

int ReportDiagnostics(const Diagnostics& diagnostics, std::string_view source) {
  size_t shown = 0;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (shown == kMaxRenderedDiagnostics) break;
    if (Quiet() && diagnostic.severity != Severity::kError) continue;  // -q: errors only
    ++shown;
    std::fputs(PaintDiagnostics(RenderDiagnostic(diagnostic, source), stderr).c_str(), stderr);
  }
  if (!Quiet()) std::fputs(RenderOmitted(diagnostics, shown).c_str(), stderr);
  if (diagnostics.HasErrors()) return kExitBadInput;
  if (diagnostics.HasWarnings()) return kExitFindings;
  return kExitOk;
}

}  // namespace sysfence::cli
