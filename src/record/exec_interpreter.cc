// SPDX-License-Identifier: Apache-2.0
#include "record/exec_interpreter.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "policy/policy.h"

namespace sysfence::record {
namespace {

constexpr size_t kScriptHead = 256;      // BINPRM_BUF_SIZE
constexpr size_t kMaxHeaders = 65536;    // the kernel refuses more program header bytes
constexpr int kMaxInterpreterDepth = 4;  // binfmt recursion the kernel allows

// An unsigned field of `size` bytes at `at` in `bytes`, in the file's byte order.
uint64_t Field(const std::string& bytes, size_t at, size_t size, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<uint8_t>(bytes[at + (big_endian ? i : size - 1 - i)]);
    value = (value << 8) | byte;
  }
  return value;
}

}  // namespace

std::optional<std::string> ScriptInterpreter(std::string_view head) {
  if (!head.starts_with("#!")) return std::nullopt;
  head.remove_prefix(2);
  if (head.size() > kScriptHead - 2) head = head.substr(0, kScriptHead - 2);
  const size_t start = head.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  const size_t end = head.find_first_of(" \t\n", start);
  // A name running to the end of what the kernel reads is truncated: execve fails (ENOEXEC).
  if (end == std::string_view::npos || head[start] == '\n') return std::nullopt;
  std::string name(head.substr(start, end - start));
  if (name.find('\0') != std::string::npos) return std::nullopt;
  return name;
}

std::optional<std::string> ElfInterpreter(const ReadAt& read) {
  std::string ident;
  if (!read(0, EI_NIDENT, ident) || std::memcmp(ident.data(), ELFMAG, SELFMAG) != 0) return std::nullopt;
  const bool is64 = ident[EI_CLASS] == ELFCLASS64;
  if (!is64 && ident[EI_CLASS] != ELFCLASS32) return std::nullopt;
  const bool big = ident[EI_DATA] == ELFDATA2MSB;
  if (!big && ident[EI_DATA] != ELFDATA2LSB) return std::nullopt;

  std::string header;
  if (!read(0, is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), header)) return std::nullopt;
  const uint64_t type = Field(header, offsetof(Elf64_Ehdr, e_type), 2, big);  // same offset in both
  if (type != ET_EXEC && type != ET_DYN) return std::nullopt;
  const uint64_t phoff = is64 ? Field(header, offsetof(Elf64_Ehdr, e_phoff), 8, big)
                              : Field(header, offsetof(Elf32_Ehdr, e_phoff), 4, big);
  const uint64_t phentsize = is64 ? Field(header, offsetof(Elf64_Ehdr, e_phentsize), 2, big)
                                  : Field(header, offsetof(Elf32_Ehdr, e_phentsize), 2, big);
  const uint64_t phnum = is64 ? Field(header, offsetof(Elf64_Ehdr, e_phnum), 2, big)
                              : Field(header, offsetof(Elf32_Ehdr, e_phnum), 2, big);
  const size_t entry_size = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  if (phentsize < entry_size || phnum == 0 || phnum * phentsize > kMaxHeaders) return std::nullopt;

  std::string headers;
  if (!read(phoff, phnum * phentsize, headers)) return std::nullopt;
  for (uint64_t i = 0; i < phnum; ++i) {
    const size_t at = i * phentsize;
    if (Field(headers, at, 4, big) != PT_INTERP) continue;  // p_type is first in both layouts
    const uint64_t offset = is64 ? Field(headers, at + offsetof(Elf64_Phdr, p_offset), 8, big)
                                 : Field(headers, at + offsetof(Elf32_Phdr, p_offset), 4, big);
    const uint64_t size = is64 ? Field(headers, at + offsetof(Elf64_Phdr, p_filesz), 8, big)
                               : Field(headers, at + offsetof(Elf32_Phdr, p_filesz), 4, big);
    // As the kernel: 2..PATH_MAX bytes, ending in NUL.
    if (size < 2 || size > PATH_MAX) return std::nullopt;
    std::string path;
    if (!read(offset, size, path) || path.back() != '\0') return std::nullopt;
    path.resize(std::strlen(path.c_str()));
    if (path.empty()) return std::nullopt;
    return path;
  }
  return std::nullopt;
}

std::vector<std::string> ExecInterpreters(const std::string& path) {
  std::vector<std::string> chain;
  std::string current = path;
  for (int depth = 0; depth < kMaxInterpreterDepth; ++depth) {
    const int fd = open(current.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) break;
    const ReadAt read = [fd](uint64_t offset, size_t size, std::string& out) {
      out.assign(size, '\0');
      size_t done = 0;
      while (done < size) {
        const ssize_t n = pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
      }
      return true;
    };
    std::optional<std::string> next = ElfInterpreter(read);
    if (!next) {
      std::string head(kScriptHead, '\0');
      const ssize_t n = pread(fd, head.data(), head.size(), 0);
      head.resize(n > 0 ? static_cast<size_t>(n) : 0);
      next = ScriptInterpreter(head);
    }
    close(fd);
    if (!next || next->empty() || next->front() != '/') break;
    chain.push_back(*next);
    current = *next;
  }
  return chain;
}

void AddExecInterpreters(profile::Profile& profile) {
  std::vector<std::string> executed;
  for (const auto& [path, access] : profile.paths) {
    if ((access & policy::kFsExecute) != 0) executed.push_back(path);
  }
  for (const std::string& path : executed) {
    for (const std::string& interpreter : ExecInterpreters(path)) {
      profile.paths[interpreter] |= policy::kFsExecute | policy::kFsReadFile;
    }
  }
}

}  // namespace sysfence::record
