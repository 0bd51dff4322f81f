// SPDX-License-Identifier: Apache-2.0
// Syscall tables (generated from the reference data by scripts/gen_syscall_tables.py): names and
// numbers per ABI, argument signatures, built-in groups and symbolic constants.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/arch.h"

namespace sysfence::syscalls {

/// One syscall of one ABI. `number` is the value seccomp_data.nr carries (x32: with the x32 bit).
struct SyscallEntry {
  std::string_view name;
  uint32_t number;
};

/// The number of syscall `name` on `arch` as seen by a filter, or nullopt if the ABI lacks it.
std::optional<uint32_t> NumberOf(Arch arch, std::string_view name);

/// The name of syscall number `nr` (as seen by a filter) on `arch`, or nullopt.
std::optional<std::string_view> NameOf(Arch arch, uint32_t nr);

/// Every syscall of `arch`, sorted by number.
std::span<const SyscallEntry> AllOf(Arch arch);

/// Every syscall name known on any ABI, sorted (for suggestions and validation).
std::span<const std::string_view> AllNames();

/// True when `name` is a syscall on at least one ABI.
bool IsKnownName(std::string_view name);

/// How an argument is passed, which decides how a filter may compare it.
enum class ArgKind : uint8_t {
  kScalar32,  ///< int, unsigned int, ...: the kernel uses the low 32 bits only
  kScalar64,  ///< long, size_t, off_t, ...: all 64 bits on 64-bit ABIs
  kPointer,   ///< a user-space address: its value says nothing about what it points to
};

/// One argument of a syscall's signature.
struct ArgInfo {
  std::string_view name;  ///< "fd", "cmd", "prot", ...
  std::string_view type;  ///< C type as the kernel declares it: "unsigned int", "const char *"
  ArgKind kind;
};

/// The signature of `name` (from the x86_64 kernel, used for every ABI by name), or an empty span
/// when unknown.
std::span<const ArgInfo> ArgsOf(std::string_view name);

/// True when the tables hold the signature of `name` (possibly with no argument at all: getpid).
bool HasSignature(std::string_view name);

/// The signature of `name` as `arch` passes it, for mapping argument names to indexes: ArgsOf(name)
/// with the ABI's own order applied (clone's CLONE_BACKWARDS order on x86, arm, riscv64 and ppc64le,
/// flags second on s390x; x86's and s390x's mmap take one pointer to a struct). On 32-bit ABIs it
/// stops before the first 64-bit argument (loff_t, u64), which takes a register pair (with ARM's
/// alignment padding) and shifts every later index. Empty when unknown.
std::span<const ArgInfo> ArgsOfOn(Arch arch, std::string_view name);

/// Width in bits (16, 32 or 64) of argument `index` of `name` on `arch`: how many low bits of the
/// register the kernel reads. 16 for umode_t, and where the kernel narrows further than the declared
/// type (ptrace's pid; the 16-bit uid syscalls of x86 and arm: see arg_widths.cc for the sources);
/// 32 for the other 32-bit scalars of ArgsOfOn(arch, name) and for everything on 32-bit ABIs; 64
/// otherwise (also when the signature is unknown). Index positions are the ABI's own (ArgsOfOn).
int ArgWidthBits(Arch arch, std::string_view name, int index);

/// A built-in group of syscalls such as "@file-system".
struct Group {
  std::string_view name;         ///< with the leading '@'
  std::string_view description;  ///< one line, for `sysfence syscalls @group` and the docs
  std::span<const std::string_view> members;  ///< syscall names and nested "@group" names
};

/// Every built-in group, sorted by name.
std::span<const Group> AllGroups();

/// The group called `name` (with '@'), or nullptr.
const Group* FindGroup(std::string_view name);

/// Syscall names of a group with nested groups expanded, sorted and unique.
std::vector<std::string_view> ExpandGroup(const Group& group);

/// A named constant usable in policy conditions (AF_INET, O_RDONLY, TIOCSTI, ...).
struct Constant {
  std::string_view name;
  uint64_t value;
  std::string_view family;  ///< "AF", "SOCK", "O", "PROT", "MAP", "CLONE", "PR", "F", "ioctl", "errno", ...
};

/// The constant called `name`, or nullptr.
const Constant* FindConstant(std::string_view name);

/// Every constant, sorted by name. Values are x86_64's (and the generic ABI's); see ConstantValueOn.
std::span<const Constant> AllConstants();

/// The value of constant `name` on `arch`: FindConstant's value with the ABI's own headers applied
/// (O_DIRECTORY on arm, aarch64 and ppc64le; MAP_NORESERVE and SO_PEERCRED on ppc64le, ...), or
/// nullopt when the name is unknown or sysfence does not know its value on that ABI (ioctl request
/// numbers on ppc64le, whose encoding differs; arch_prctl's ARCH_* and MAP_32BIT outside x86).
std::optional<uint64_t> ConstantValueOn(Arch arch, std::string_view name);

/// Names of constants in `family` whose value equals `value` (for decoding arguments).
std::vector<std::string_view> ConstantNamesFor(std::string_view family, uint64_t value);

}  // namespace sysfence::syscalls
