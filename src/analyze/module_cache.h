// SPDX-License-Identifier: Apache-2.0
// The library cache: a ModuleGraph stored by build-id (MessagePack), so a library shared by many
// programs is disassembled once. A file that cannot be read back is ignored and rebuilt.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "analyze/module_graph.h"
#include "core/result.h"

namespace sysfence::analyze {

/// Bumped whenever the analysis changes what it stores: older entries are then ignored.
inline constexpr int kCacheFormatVersion = 1;

/// The default cache folder: $XDG_CACHE_HOME/sysfence/analyze, else ~/.cache/sysfence/analyze.
std::string DefaultCacheFolder();

/// The graph as JSON (the cache stores it as MessagePack).
nlohmann::json GraphToJson(const ModuleGraph& graph);
/// Reads GraphToJson's output back. Errors: kInvalidInput with the JSON path at fault.
Result<ModuleGraph> GraphFromJson(const nlohmann::json& json);

/// The cached graph of the module with `build_id` at `path`, or nullopt (absent, stale, unreadable).
std::optional<ModuleGraph> LoadCachedGraph(const std::string& folder, const std::string& build_id,
                                           const std::string& path);
/// The graph of the module at `path`: from the cache in `folder` when it holds the module's
/// build-id, else built (and stored; a failure to store becomes a warning of the graph).
/// `*from_cache` says which. Errors: the file cannot be read or analysed (ElfFile, BuildModuleGraph).
Result<ModuleGraph> LoadModuleGraph(const std::string& path, const std::string& folder, bool* from_cache);

/// Stores `graph` (atomically: a temporary file renamed into place). Errors: kOs.
Result<void> StoreCachedGraph(const std::string& folder, const ModuleGraph& graph);

}  // namespace sysfence::analyze
