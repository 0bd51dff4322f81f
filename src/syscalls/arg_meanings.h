// SPDX-License-Identifier: Apache-2.0
// What the arguments of syscalls mean: which argument is a set of flags, one constant of a family,
// a signal, a file descriptor, a path, a socket level or an option of that level. One table, keyed
// by argument *name* (the names of syscalls::ArgsOfOn, so an ABI's own order is honoured: clone's
// flags are arg0 on x86_64 and arg1 on s390x). The recorder picks the arguments it keeps from it,
// the policy generator the ones it turns into conditions, and the event decoder names values with it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"
#include "syscalls/syscalls.h"

namespace sysfence::syscalls {

/// How the value of one argument is read.
enum class ArgRole : uint8_t {
  kNumber,          ///< nothing known: a plain number
  kPointer,         ///< a user-space address
  kPath,            ///< a pointer to a NUL-terminated path or name
  kFd,              ///< a file descriptor (AT_FDCWD for the *at syscalls)
  kEnum,            ///< exactly one constant of `family` (socket's family: AF_INET)
  kFlags,           ///< a set of `family` bits (mmap's prot: PROT_READ|PROT_WRITE)
  kOpenFlags,       ///< O_* flags around a two-bit access mode (O_RDONLY, O_WRONLY, O_RDWR)
  kSocketType,      ///< a SOCK_* type in the low four bits, SOCK_NONBLOCK/SOCK_CLOEXEC above
  kCloneFlags,      ///< CLONE_* bits above the exit signal in the low byte (CSIGNAL: SIGCHLD)
  kSignal,          ///< a signal number (SIGTERM)
  kSocketLevel,     ///< a socket option level (SOL_SOCKET, SOL_TCP)
  kSocketOption,    ///< an option name, whose constants depend on the level (`depends_on`)
  kSocketProtocol,  ///< a protocol, named (IPPROTO_TCP) only for the IP families (`depends_on`)
};

/// The meaning of one argument.
struct ArgMeaning {
  ArgRole role = ArgRole::kNumber;
  /// The constant family of kEnum and kFlags ("AF", "PROT"); see syscalls::Constant::family.
  std::string_view family;
  /// When not empty: only constants whose name starts with one of these '|'-separated prefixes
  /// ("SOCK_NONBLOCK|SOCK_CLOEXEC" for accept4's flags, which share the SOCK family with types).
  std::string_view only;
  /// The argument whose value selects the constants of a kSocketOption/kSocketProtocol ("level").
  std::string_view depends_on;
  /// `sysfence record` keeps the values seen (meaningful constants only: never fds, sizes, pointers).
  bool recorded = false;
  /// Policy generation may restrict the syscall to the values recorded (a recorded argument whose
  /// handful of values describes what a program does: socket families, ioctl requests, protections).
  bool condition = false;
  /// A constant whose value keys what the syscall does (socket's family, ioctl's cmd): an event's
  /// suggestion names it (`allow socket if family == AF_NETLINK`) rather than allowing every value.
  bool suggestion_key = false;
};

/// One entry of the table.
struct NamedArgMeaning {
  std::string_view syscall;
  std::string_view arg;  ///< the argument's name in the syscall's signature
  ArgMeaning meaning;
};

/// The whole table, sorted by syscall, then argument name.
std::span<const NamedArgMeaning> AllArgMeanings();

/// What argument `arg` of syscall `syscall` means: the table's entry for its name, else kFd for
/// descriptor names ("fd", "dfd", ...), kPath for `const char *` names and paths, kPointer for other
/// pointers and kNumber for the rest.
ArgMeaning MeaningOf(std::string_view syscall, const ArgInfo& arg);

/// The table's meaning of the argument called `arg_name` of `syscall`, or nullopt when the table has
/// none (fds, paths and pointers are not in the table: use MeaningOf with the ArgInfo).
std::optional<ArgMeaning> TableMeaningOf(std::string_view syscall, std::string_view arg_name);

/// A recorded argument of a syscall on one ABI.
struct RecordedArg {
  int index = 0;          ///< position on that ABI (syscalls::ArgsOfOn)
  std::string_view name;  ///< its name in the signature
  ArgMeaning meaning;
};

/// The arguments of `syscall` that `record` keeps on `arch`, by position on that ABI (empty for most).
std::vector<RecordedArg> RecordedArgsOn(Arch arch, std::string_view syscall);

/// A bit mask of the positions RecordedArgsOn(arch, syscall) lists.
uint8_t RecordedArgMask(Arch arch, std::string_view syscall);

/// The one name sysfence uses for `value` in `family` (AF_UNIX, never AF_FILE or AF_LOCAL; SIGCHLD,
/// never SIGCLD), restricted to the prefixes of `only` ('|'-separated) when given; nullopt when no
/// constant has that value.
std::optional<std::string_view> ConstantName(std::string_view family, uint64_t value, std::string_view only = {});

/// The constant family of a dependent argument (kSocketOption, kSocketProtocol) when the argument it
/// depends on has value `selector` ("TCP" for level SOL_TCP); nullopt when no family applies.
std::optional<std::string_view> DependentFamily(const ArgMeaning& meaning, uint64_t selector);

/// `value` as named by `meaning`: a constant, or flag names joined by '|' with the bits no constant
/// names in hex ("PROT_READ|0x40"), or a signal name. `selector` is the value of the argument a
/// dependent meaning depends on (nullopt: unknown, so the value stays unnamed). nullopt when nothing
/// names the value (kNumber, kFd, kPath, kPointer, an unknown constant).
std::optional<std::string> NameArgValue(const ArgMeaning& meaning, uint64_t value,
                                        std::optional<uint64_t> selector = std::nullopt);

/// NameArgValue, or the value in hex when nothing names it (how recordings show values).
std::string DescribeArgValue(const ArgMeaning& meaning, uint64_t value,
                             std::optional<uint64_t> selector = std::nullopt);

/// True for the roles whose names are flag sets (kFlags, kOpenFlags, kSocketType, kCloneFlags).
bool IsFlagRole(ArgRole role);

}  // namespace sysfence::syscalls
