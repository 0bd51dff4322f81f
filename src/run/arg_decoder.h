// SPDX-License-Identifier: Apache-2.0
// Turns the raw arguments of a notified syscall into what a person reads in an event: argument
// names from the syscall tables, symbolic constants and flags, where file descriptors point, and
// path strings from the target's memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"

namespace sysfence::run {

/// One argument of a syscall as an event shows it.
struct DecodedArg {
  /// How `text` was obtained.
  enum class Kind : uint8_t {
    kNumber,    ///< no decoding: `text` is empty
    kConstant,  ///< `text` is a constant name ("AF_NETLINK")
    kFlags,     ///< `text` is an OR of flag names ("O_RDONLY|O_CLOEXEC"), unknown bits in hex
    kFd,        ///< `text` is where the descriptor points ("/etc/passwd", "AT_FDCWD")
    kPath,      ///< `text` is the string the pointer points to (read from the target's memory)
    kPointer,   ///< an address; `text` is empty
  };
  std::string name;  ///< argument name ("domain"), or "argN" when the signature is unknown
  uint64_t value = 0;
  Kind kind = Kind::kNumber;
  std::string text;
  /// The constant family of a kConstant/kFlags argument ("AF", "O", ...).
  std::string_view family;
};

/// Where decoding may look.
struct DecodeContext {
  int tid = 0;               ///< the calling thread (0: not visible, so no /proc or memory reads)
  bool read_memory = true;   ///< read path strings from the target (confirm with ID_VALID after!)
  bool read_fds = true;      ///< resolve file descriptors through /proc/TID/fd
};

/// Decodes the arguments of syscall `name` on `arch`. Unknown signatures give six raw arguments.
std::vector<DecodedArg> DecodeArgs(Arch arch, std::string_view name, const uint64_t (&args)[6],
                                   const DecodeContext& context);

/// Names the bits of `value` with constants of `family` ("PROT_READ|PROT_WRITE"); bits no constant
/// names are appended in hex; 0 gives the family's zero constant or "0".
std::string FlagsText(std::string_view family, uint64_t value);

}  // namespace sysfence::run
