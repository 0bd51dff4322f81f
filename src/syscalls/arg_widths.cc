// SPDX-License-Identifier: Apache-2.0
// How many bits of each argument the kernel really reads: the one table of argument widths the
// compiler, the evaluators and the checks share (through ArgWidthBits).
//
// The width of an argument is derived from its C type in the ABI's signature (ArgsOfOn), narrowed
// to the ABI's register size, except where an explicit override below says the kernel narrows it
// further than the declared type. Every override names its source in the kernel.
#include <array>
#include <string_view>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

// Where the kernel reads fewer bits than the declared type of an argument has.
struct WidthOverride {
  std::string_view syscall;
  std::string_view argument;  // the name in ArgsOf(syscall)
  int bits;
  bool uid16_abis_only;  // only on the ABIs whose syscall numbers select kernel/uid16.c
};

constexpr std::array<WidthOverride, 21> kOverrides = {{
    // kernel/ptrace.c: SYSCALL_DEFINE4(ptrace, long request, long pid, ...) hands pid to
    // find_get_task_by_vpid(pid_t), so only the low 32 bits name the tracee.
    {"ptrace", "pid", 32, false},
    // kernel/uid16.c: on x86 (i386) and arm these numbers are chown16, setuid16, ... whose ids are
    // old_uid_t / old_gid_t (unsigned short on both) and widened with low2highuid(): 0x10000 is
    // uid 0 there (arch/x86/entry/syscalls/syscall_32.tbl, arch/arm/tools/syscall.tbl; the 32-bit
    // ids are chown32, setuid32, ...).
    {"chown", "user", 16, true},
    {"chown", "group", 16, true},
    {"lchown", "user", 16, true},
    {"lchown", "group", 16, true},
    {"fchown", "user", 16, true},
    {"fchown", "group", 16, true},
    {"setuid", "uid", 16, true},
    {"setgid", "gid", 16, true},
    {"setreuid", "ruid", 16, true},
    {"setreuid", "euid", 16, true},
    {"setregid", "rgid", 16, true},
    {"setregid", "egid", 16, true},
    {"setresuid", "ruid", 16, true},
    {"setresuid", "euid", 16, true},
    {"setresuid", "suid", 16, true},
    {"setresgid", "rgid", 16, true},
    {"setresgid", "egid", 16, true},
    {"setresgid", "sgid", 16, true},
    {"setfsuid", "uid", 16, true},
    {"setfsgid", "gid", 16, true},
}};

bool HasUid16Syscalls(Arch arch) { return arch == Arch::kX86 || arch == Arch::kArm; }

// The width the C type `type` has once the kernel's syscall wrapper casts the register to it
// (SYSCALL_DEFINE's __SC_CAST), or 0 when the kind decides (32 or 64 bits).
int TypeWidthBits(std::string_view type) {
  if (type.starts_with("const ")) type.remove_prefix(6);
  if (type == "umode_t") return 16;  // unsigned short in include/linux/types.h
  return 0;
}

}  // namespace

int ArgWidthBits(Arch arch, std::string_view name, int index) {
  const int register_bits = GetArchInfo(arch).is_64bit ? 64 : 32;
  const std::span<const ArgInfo> args = ArgsOfOn(arch, name);
  if (index < 0 || static_cast<size_t>(index) >= args.size()) return register_bits;
  const ArgInfo& arg = args[static_cast<size_t>(index)];
  for (const WidthOverride& entry : kOverrides) {
    if (entry.syscall != name || entry.argument != arg.name) continue;
    if (entry.uid16_abis_only && !HasUid16Syscalls(arch)) continue;
    return entry.bits < register_bits ? entry.bits : register_bits;
  }
  int bits = 64;
  if (const int type_bits = TypeWidthBits(arg.type); type_bits != 0) {
    bits = type_bits;
  } else if (arg.kind == ArgKind::kScalar32) {
    bits = 32;
  }
  return bits < register_bits ? bits : register_bits;
}

}  // namespace sysfence::syscalls
