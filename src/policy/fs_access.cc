// SPDX-License-Identifier: Apache-2.0
#include "policy/fs_access.h"

#include <array>

#include "policy/policy.h"

namespace sysfence::policy {
namespace {

constexpr uint32_t kRead = kFsReadFile | kFsReadDir;
// Writing includes truncating (Landlock ABI 3 made truncate a separate right; without it a program
// allowed to write could not open with O_TRUNC) and creating, removing and renaming entries. Device
// nodes (make-char, make-block) and device ioctls stay separate, deliberate grants.
constexpr uint32_t kWrite = kFsWriteFile | kFsTruncate | kFsRemoveDir | kFsRemoveFile | kFsMakeDir | kFsMakeReg |
                            kFsMakeSock | kFsMakeFifo | kFsMakeSym | kFsRefer;

constexpr std::array<FsAccessWord, 19> kWords = {{
    {"read", kRead, "read files and list directories (read-file, read-dir)"},
    {"write", kWrite,
     "write, truncate, create, remove and rename files and directories (all but devices and exec)"},
    {"exec", kFsExecute, "execute files"},
    {"execute", kFsExecute, "execute files (same as exec)"},
    {"read-file", kFsReadFile, "open files for reading"},
    {"read-dir", kFsReadDir, "open directories and list their entries"},
    {"write-file", kFsWriteFile, "open files for writing"},
    {"truncate", kFsTruncate, "truncate files (truncate, ftruncate, O_TRUNC; Landlock ABI 3)"},
    {"remove-dir", kFsRemoveDir, "remove empty directories"},
    {"remove-file", kFsRemoveFile, "unlink files"},
    {"make-char", kFsMakeChar, "create character devices"},
    {"make-dir", kFsMakeDir, "create directories"},
    {"make-reg", kFsMakeReg, "create regular files"},
    {"make-sock", kFsMakeSock, "create UNIX sockets"},
    {"make-fifo", kFsMakeFifo, "create named pipes"},
    {"make-block", kFsMakeBlock, "create block devices"},
    {"make-sym", kFsMakeSym, "create symbolic links"},
    {"refer", kFsRefer, "link or rename files across directories (Landlock ABI 2)"},
    {"ioctl-dev", kFsIoctlDev, "ioctl on character and block devices (Landlock ABI 5)"},
}};

}  // namespace

std::span<const FsAccessWord> AllFsAccessWords() { return kWords; }

std::optional<uint32_t> FsAccessFromWord(std::string_view word) {
  for (const FsAccessWord& entry : kWords) {
    if (entry.word == word) return entry.access;
  }
  return std::nullopt;
}

std::vector<std::string_view> FsAccessToWords(uint32_t access) {
  std::vector<std::string_view> words;
  uint32_t left = access;
  for (const FsAccessWord& entry : kWords) {
    if (entry.word == "execute") continue;  // "exec" is the canonical spelling
    const bool coarse = entry.word == "read" || entry.word == "write" || entry.word == "exec";
    if (coarse ? (access & entry.access) == entry.access : (left & entry.access) != 0) {
      if (!coarse && (entry.access & ~left) != 0) continue;
      if ((left & entry.access) == 0) continue;
      words.push_back(entry.word);
      left &= ~entry.access;
    }
  }
  return words;
}

}  // namespace sysfence::policy
