// SPDX-License-Identifier: Apache-2.0
// What execve opens besides the program: the ELF interpreter named by PT_INTERP (the dynamic
// loader) or the interpreter of a "#!" script. The kernel opens it inside execve, so a recorder
// that watches open calls never sees it, yet Landlock checks it: `record --fs` adds it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile/profile.h"

namespace sysfence::record {

/// Reads `size` bytes at `offset` into `out`; false when fewer bytes exist or the read fails.
using ReadAt = std::function<bool(uint64_t offset, size_t size, std::string& out)>;

/// The interpreter a "#!" line names (`head` is the file's first bytes, as many as the kernel reads:
/// 256); nullopt when `head` is no script or its interpreter name does not end within `head`.
std::optional<std::string> ScriptInterpreter(std::string_view head);

/// The PT_INTERP path of an ELF file (32- or 64-bit, either byte order) read through `read`;
/// nullopt for a file without one (a static program), a file that is no ELF executable, or a
/// malformed one. Reads are bounded: at most 64 KiB of program headers and PATH_MAX of path.
std::optional<std::string> ElfInterpreter(const ReadAt& read);

/// The interpreters execve of `path` opens, in order (a script's interpreter, then that one's
/// loader, ...; at most 4 levels, as the kernel allows); only absolute paths. Empty when `path`
/// cannot be read or needs none.
std::vector<std::string> ExecInterpreters(const std::string& path);

/// Adds, for every path `profile` executes (execute access), its interpreters with execute and
/// read-file access, so a policy generated from `profile` lets the program start again.
void AddExecInterpreters(profile::Profile& profile);

}  // namespace sysfence::record
