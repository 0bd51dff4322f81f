// SPDX-License-Identifier: Apache-2.0
// Constants whose value depends on the ABI. The generated table holds x86_64's (= the generic
// ABI's) values; these are the other ABIs' own UAPI headers (arch/*/include/uapi/asm/{fcntl,mman,
// socket}.h), and the families whose values sysfence does not know there.
#include <array>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

struct AbiValue {
  Arch arch;
  std::string_view name;
  uint64_t value;
};

// arm and arm64 swap the O_DIRECT/O_LARGEFILE and O_DIRECTORY/O_NOFOLLOW pairs; powerpc has its own.
constexpr std::array<AbiValue, 24> kAbiValues = {{
    {Arch::kArm, "O_DIRECTORY", 040000},
    {Arch::kArm, "O_NOFOLLOW", 0100000},
    {Arch::kArm, "O_DIRECT", 0200000},
    {Arch::kArm, "O_LARGEFILE", 0400000},
    {Arch::kArm, "O_TMPFILE", 020000000 | 040000},
    {Arch::kAarch64, "O_DIRECTORY", 040000},
    {Arch::kAarch64, "O_NOFOLLOW", 0100000},
    {Arch::kAarch64, "O_DIRECT", 0200000},
    {Arch::kAarch64, "O_LARGEFILE", 0400000},
    {Arch::kAarch64, "O_TMPFILE", 020000000 | 040000},
    {Arch::kPpc64le, "O_DIRECTORY", 040000},
    {Arch::kPpc64le, "O_NOFOLLOW", 0100000},
    {Arch::kPpc64le, "O_LARGEFILE", 0200000},
    {Arch::kPpc64le, "O_DIRECT", 0400000},
    {Arch::kPpc64le, "O_TMPFILE", 020000000 | 040000},
    {Arch::kPpc64le, "MAP_NORESERVE", 0x40},
    {Arch::kPpc64le, "MAP_LOCKED", 0x80},
    {Arch::kPpc64le, "SO_RCVLOWAT", 16},
    {Arch::kPpc64le, "SO_SNDLOWAT", 17},
    {Arch::kPpc64le, "SO_RCVTIMEO", 18},
    {Arch::kPpc64le, "SO_SNDTIMEO", 19},
    {Arch::kPpc64le, "SO_PASSCRED", 20},
    {Arch::kPpc64le, "SO_PEERCRED", 21},
    {Arch::kPpc64le, "EDEADLOCK", 58},  // its own number there, not an alias of EDEADLK
}};

bool IsX86Family(Arch arch) { return arch == Arch::kX86_64 || arch == Arch::kX32 || arch == Arch::kX86; }

// Constants that exist only on some ABIs, or whose encoding sysfence does not carry for an ABI.
bool KnownOn(Arch arch, const Constant& constant) {
  if (constant.family == "ARCH" || constant.name == "MAP_32BIT") return IsX86Family(arch);
  // powerpc encodes _IOR/_IOW differently and numbers its termios requests itself.
  if (constant.family == "ioctl" && arch == Arch::kPpc64le) return false;
  return true;
}

}  // namespace

std::optional<uint64_t> ConstantValueOn(Arch arch, std::string_view name) {
  const Constant* constant = FindConstant(name);
  if (constant == nullptr || !KnownOn(arch, *constant)) return std::nullopt;
  for (const AbiValue& entry : kAbiValues) {
    if (entry.arch == arch && entry.name == name) return entry.value;
  }
  return constant->value;
}

}  // namespace sysfence::syscalls
