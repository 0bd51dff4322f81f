// SPDX-License-Identifier: Apache-2.0
// Finding the file the dynamic loader would load for a DT_NEEDED name: the loader's RPATH (when it
// has no RUNPATH), extra folders (like LD_LIBRARY_PATH), RUNPATH, /etc/ld.so.cache, then the
// default folders, as ld.so(8) describes; a candidate of another machine type is skipped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sysfence::analyze {

/// Where to look for libraries.
struct LibrarySearch {
  std::vector<std::string> extra_folders;  ///< --library-path, searched before RUNPATH
  std::string ld_cache = "/etc/ld.so.cache";
  std::vector<std::string> default_folders = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
                                              "/usr/lib64", "/lib", "/usr/lib"};
};

/// The libraries /etc/ld.so.cache (new format, glibc-ld.so.cache1.1) names: name -> paths.
std::multimap<std::string, std::string> ReadLdCache(const std::string& path);

/// The path of library `name` needed by the module at `loader_path` (with its RPATH and RUNPATH),
/// or "" when none of machine `machine` is found.
std::string FindLibrary(const std::string& name, const std::string& loader_path, const std::string& rpath,
                        const std::string& runpath, uint16_t machine, const LibrarySearch& search,
                        const std::multimap<std::string, std::string>& ld_cache);

}  // namespace sysfence::analyze
