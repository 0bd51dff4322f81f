// SPDX-License-Identifier: Apache-2.0
// Per-library summaries: for each exported function, the syscalls it can make within its own
// library (calls into other libraries are counted, not followed), computed from the cached graph.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analyze/module_graph.h"

namespace sysfence::analyze {

/// What one exported function can do within its library.
struct ExportSummary {
  std::vector<std::string> syscalls;  ///< sorted names ("name (i386)" for int 0x80 sites)
  size_t imports_called = 0;          ///< distinct symbols of other libraries it may call
  size_t unresolved_sites = 0;        ///< reachable sites whose number is unknown
};

/// The summary of every exported function of `graph` (by name; aliases share one).
std::map<std::string, ExportSummary> SummarizeExports(const ModuleGraph& graph);

}  // namespace sysfence::analyze
