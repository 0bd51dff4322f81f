// SPDX-License-Identifier: Apache-2.0
// The access words of `fs` rules and the Landlock rights (FsAccess bits) they grant.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sysfence::policy {

/// Every FsAccess bit sysfence knows.
inline constexpr uint32_t kFsAllAccess = (1u << 16) - 1;

/// One access word and the rights it grants.
struct FsAccessWord {
  std::string_view word;         ///< "read", "write", "exec", "read-file", ...
  uint32_t access;               ///< FsAccess bits
  std::string_view description;  ///< one line for the docs and --help
};

/// Every access word: first the three coarse ones (read, write, exec), then one per right.
std::span<const FsAccessWord> AllFsAccessWords();

/// The rights an access word grants ("exec" and "execute" are the same), or nullopt.
std::optional<uint32_t> FsAccessFromWord(std::string_view word);

/// The shortest canonical list of words whose rights together are exactly `access`: the coarse
/// words that fit wholly, then single rights for what is left.
std::vector<std::string_view> FsAccessToWords(uint32_t access);

}  // namespace sysfence::policy
