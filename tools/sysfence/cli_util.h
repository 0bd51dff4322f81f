// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by subcommands: reading input files, printing diagnostics and errors.
#pragma once

#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"

namespace sysfence::cli {

/// Reads a whole file (or standard input for "-"); the error names the file and the reason.
Result<std::string> ReadInputFile(const std::string& path);

/// Writes `data` to `path` (standard output for "-"), replacing it atomically (temp file + rename)
/// so a failure leaves no half-written output.
Result<void> WriteOutputFile(const std::string& path, std::string_view data);

/// Prints "sysfence: error: MESSAGE" to stderr and returns kExitBadInput, or kExitFailure for
/// environment errors (permission, OS, unsupported).
int ReportError(const Error& error);

/// Prints every diagnostic to stderr, with source lines from `source` when given. Returns the exit
/// status they imply: 2 with errors, 1 with warnings only, 0 otherwise.
int ReportDiagnostics(const Diagnostics& diagnostics, std::string_view source = {});

}  // namespace sysfence::cli
