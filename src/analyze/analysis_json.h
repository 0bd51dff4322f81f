// SPDX-License-Identifier: Apache-2.0
// The analysis as JSON (`sysfence analyze --json`), and read back for `sysfence merge`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analyze/program_analysis.h"
#include "core/result.h"

namespace sysfence::analyze {

/// The JSON document's "kind".
inline constexpr const char* kAnalysisKind = "sysfence-analysis";

/// The analysis as a JSON object (schema 1).
nlohmann::json AnalysisToJson(const Analysis& analysis);

/// True when `text` is an analysis document (its "kind" is sysfence-analysis).
bool LooksLikeAnalysisJson(const std::string& text);

/// Reads an analysis document. Errors: kInvalidInput naming `source` and the JSON path at fault.
Result<Analysis> AnalysisFromJson(const std::string& text, const std::string& source);

/// The analysis as text for a terminal: syscalls with one origin each, unresolved sites, what was
/// not analysed, per-module counts.
std::string RenderAnalysis(const Analysis& analysis, bool verbose);

}  // namespace sysfence::analyze
