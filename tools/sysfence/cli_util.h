// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by subcommands: reading input files, printing diagnostics and errors.
#pragma once

#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/input_file.h"  // ReadInputFile, the one reader of input files
#include "core/result.h"
#include "tools/sysfence/output_file.h"  // WriteOutputFile, the one writer of output files

namespace sysfence::cli {

/// Prints "sysfence: error: MESSAGE" to stderr and returns kExitBadInput, or kExitFailure for
/// environment errors (permission, OS, unsupported).
int ReportError(const Error& error);

/// Prints "sysfence: error: MESSAGE" to stderr and returns kExitBadInput: the one way a command
/// refuses its arguments or input.
int BadInput(const std::string& message);

/// Prints the diagnostics to stderr (the first kMaxRenderedDiagnostics, then how many more), with
/// source lines from `source` when given; with -q only the errors. Returns the exit
/// status they imply: 2 with errors, 1 with warnings only, 0 otherwise.
int ReportDiagnostics(const Diagnostics& diagnostics, std::string_view source = {});

}  // namespace sysfence::cli
