// SPDX-License-Identifier: Apache-2.0
// Rendering diagnostics of a policy that may span several files (includes).
#pragma once

#include <map>
#include <string>

#include "core/diagnostic.h"

namespace sysfence::policy {

/// Renders the first kMaxRenderedDiagnostics diagnostics with RenderDiagnostic, taking the source
/// line of each from `sources` (file name -> text, as ParseOptions::sources collects it), then a
/// line counting those left out, and ends with a summary line such as "2 errors, 1 warning" when
/// there is anything to report.
std::string RenderDiagnostics(const Diagnostics& diagnostics, const std::map<std::string, std::string>& sources);

}  // namespace sysfence::policy
