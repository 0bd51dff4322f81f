// SPDX-License-Identifier: Apache-2.0
// Where an ABI passes a syscall's arguments differently from x86_64 (the kernel's SYSCALL_DEFINE
// variants selected by CONFIG_CLONE_BACKWARDS*, and old_mmap), and the 32-bit register-pair rule.
#include <array>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

// CONFIG_CLONE_BACKWARDS: tls comes before child_tidptr.
constexpr std::array<ArgInfo, 5> kCloneBackwards = {{
    {"clone_flags", "unsigned long", ArgKind::kScalar32},  // lower_32_bits(), as on x86_64
    {"newsp", "unsigned long", ArgKind::kScalar64},
    {"parent_tidptr", "int *", ArgKind::kPointer},
    {"tls", "unsigned long", ArgKind::kScalar64},
    {"child_tidptr", "int *", ArgKind::kPointer},
}};

// CONFIG_CLONE_BACKWARDS2 (s390): the stack comes first, the flags second.
constexpr std::array<ArgInfo, 5> kCloneBackwards2 = {{
    {"newsp", "unsigned long", ArgKind::kScalar64},
    {"clone_flags", "unsigned long", ArgKind::kScalar32},
    {"parent_tidptr", "int *", ArgKind::kPointer},
    {"child_tidptr", "int *", ArgKind::kPointer},
    {"tls", "unsigned long", ArgKind::kScalar64},
}};

// i386's and s390's mmap is old_mmap: all six values sit in a struct in memory.
constexpr std::array<ArgInfo, 1> kOldMmap = {{
    {"arg", "struct mmap_arg_struct *", ArgKind::kPointer},
}};

bool IsRegisterPairType(std::string_view type) {
  if (type.starts_with("const ")) type.remove_prefix(6);
  return type == "loff_t" || type == "u64" || type == "__u64" || type == "s64" || type == "__s64";
}

}  // namespace

std::span<const ArgInfo> ArgsOfOn(Arch arch, std::string_view name) {
  if (name == "clone") {
    switch (arch) {
      case Arch::kX86:
      case Arch::kArm:
      case Arch::kRiscv64:
      case Arch::kPpc64le:
        return kCloneBackwards;
      case Arch::kS390x:
        return kCloneBackwards2;
      case Arch::kX86_64:
      case Arch::kX32:
      case Arch::kAarch64:
        break;
    }
  }
  if (name == "mmap" && (arch == Arch::kX86 || arch == Arch::kS390x)) return kOldMmap;
  const std::span<const ArgInfo> args = ArgsOf(name);
  if (GetArchInfo(arch).is_64bit) return args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (IsRegisterPairType(args[i].type)) return args.first(i);
  }
  return args;
}

}  // namespace sysfence::syscalls
