// SPDX-License-Identifier: Apache-2.0
#include "analyze/library_search.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace sysfence::analyze {
namespace {

constexpr char kCacheMagic[] = "glibc-ld.so.cache1.1";  // 17 bytes of magic + 3 of version
constexpr size_t kCacheHeaderSize = 48;
constexpr size_t kCacheEntrySize = 24;

// The ELF machine of `path`, or 0 when it is no 64-bit ELF file.
uint16_t MachineOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[sizeof(Elf64_Ehdr)] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof(header))) return 0;
  if (std::memcmp(header, ELFMAG, SELFMAG) != 0 || header[EI_CLASS] != ELFCLASS64) return 0;
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, header, sizeof(ehdr));
  return ehdr.e_machine;
}

std::vector<std::string> SplitPath(const std::string& list, const std::string& origin) {
  std::vector<std::string> folders;
  std::stringstream stream(list);
  std::string folder;
  while (std::getline(stream, folder, ':')) {
    for (const char* token : {"$ORIGIN", "${ORIGIN}"}) {
      for (size_t at = folder.find(token); at != std::string::npos; at = folder.find(token)) {
        folder.replace(at, std::strlen(token), origin);
      }
    }
    if (!folder.empty()) folders.push_back(folder);
  }
  return folders;
}

}  // namespace

std::multimap<std::string, std::string> ReadLdCache(const std::string& path) {
  std::multimap<std::string, std::string> entries;
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kCacheHeaderSize || bytes.compare(0, 20, kCacheMagic) != 0) return entries;
  uint32_t count = 0;
  std::memcpy(&count, bytes.data() + 20, 4);
  if (count > (bytes.size() - kCacheHeaderSize) / kCacheEntrySize) return entries;
  auto string_at = [&](uint32_t offset) -> std::string {
    if (offset >= bytes.size()) return "";
    return std::string(bytes.c_str() + offset);
  };
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t key = 0;
    uint32_t value = 0;
    const size_t entry = kCacheHeaderSize + i * kCacheEntrySize;
    std::memcpy(&key, bytes.data() + entry + 4, 4);
    std::memcpy(&value, bytes.data() + entry + 8, 4);
    const std::string name = string_at(key);
    const std::string file = string_at(value);
    if (!name.empty() && !file.empty()) entries.emplace(name, file);
  }
  return entries;
}

std::string FindLibrary(const std::string& name, const std::string& loader_path, const std::string& rpath,
                        const std::string& runpath, uint16_t machine, const LibrarySearch& search,
                        const std::multimap<std::string, std::string>& ld_cache) {
  if (name.find('/') != std::string::npos) return MachineOf(name) == machine ? name : "";
  const size_t slash = loader_path.rfind('/');
  const std::string origin = slash == std::string::npos ? "." : loader_path.substr(0, slash);
  std::vector<std::string> candidates;
  auto add_folders = [&](const std::vector<std::string>& folders) {
    for (const std::string& folder : folders) candidates.push_back(folder + "/" + name);
  };
  if (runpath.empty()) add_folders(SplitPath(rpath, origin));
  add_folders(search.extra_folders);
  add_folders(SplitPath(runpath, origin));
  for (auto [it, end] = ld_cache.equal_range(name); it != end; ++it) candidates.push_back(it->second);
  add_folders(search.default_folders);
  for (const std::string& candidate : candidates) {
    if (MachineOf(candidate) == machine) return candidate;
  }
  return "";
}

}  // namespace sysfence::analyze
