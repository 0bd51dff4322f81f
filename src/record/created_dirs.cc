// SPDX-License-Identifier: Apache-2.0
#include "record/created_dirs.h"

#include <map>
#include <set>
#include <string>

namespace sysfence::record {
namespace {

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

bool AtOrBelow(const std::string& path, const std::string& folder) {
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
                            path[folder.size()] == '/');
}

}  // namespace

void FoldCreatedDirectories(profile::Profile& recording) {
  std::set<std::string> created;
  for (auto it = recording.paths.begin(); it != recording.paths.end();) {
    if ((it->second & kFsCreatedDirMarker) == 0) {
      ++it;
      continue;
    }
    created.insert(it->first);
    it->second &= ~kFsCreatedDirMarker;
    it = it->second == 0 ? recording.paths.erase(it) : std::next(it);
  }
  // The topmost created folder of each chain, and the folder that held it before the run.
  std::map<std::string, std::string> anchor_of;
  for (const std::string& folder : created) {
    std::string top = folder;
    while (created.count(ParentOf(top)) != 0 && ParentOf(top) != top) top = ParentOf(top);
    anchor_of[top] = ParentOf(top);
  }
  for (const auto& [top, anchor] : anchor_of) {
    uint32_t moved = 0;
    for (auto it = recording.paths.begin(); it != recording.paths.end();) {
      if (!AtOrBelow(it->first, top)) {
        ++it;
        continue;
      }
      moved |= it->second;
      it = recording.paths.erase(it);
    }
    recording.paths[anchor] |= moved;
  }
}

}  // namespace sysfence::record
