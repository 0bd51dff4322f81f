// SPDX-License-Identifier: Apache-2.0
// The argument-width table against values written out by hand from the kernel's sources (not from
// the table's own rules), so a wrong rule in arg_widths.cc cannot pass by agreeing with itself. The
// live check that the kernel really reads 16 bits of a mode is in tests/differential
// (arg_width_kernel_test.cc).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

struct Expected {
  Arch arch;
  const char* syscall;
  int index;  // on that ABI
  int bits;
  const char* why;
};

// Every row cites where the width comes from.
constexpr Expected kLiteral[] = {
    // umode_t is unsigned short (include/linux/types.h); SYSCALL_DEFINE casts the register to it.
    {Arch::kX86_64, "chmod", 1, 16, "chmod(const char *, umode_t)"},
    {Arch::kX86_64, "fchmod", 1, 16, "fchmod(unsigned int, umode_t)"},
    {Arch::kX86_64, "fchmodat", 2, 16, "fchmodat(int, const char *, umode_t)"},
    {Arch::kX86_64, "fchmodat2", 2, 16, "fchmodat2(int, const char *, umode_t, unsigned int)"},
    {Arch::kX86_64, "openat", 3, 16, "openat(int, const char *, int, umode_t)"},
    {Arch::kX86_64, "openat", 2, 32, "flags is int"},
    {Arch::kX86_64, "mkdirat", 2, 16, "mkdirat(int, const char *, umode_t)"},
    {Arch::kX86_64, "mknodat", 2, 16, "mknodat(int, const char *, umode_t, unsigned int)"},
    {Arch::kX86_64, "mknodat", 3, 32, "dev is unsigned int"},
    {Arch::kX86, "chmod", 1, 16, "umode_t on i386 too"},
    {Arch::kAarch64, "fchmodat", 2, 16, "umode_t on aarch64"},
    {Arch::kS390x, "fchmodat", 2, 16, "umode_t on s390x"},
    {Arch::kArm, "fchmod", 1, 16, "umode_t on arm"},
    // ptrace(long request, long pid, unsigned long addr, unsigned long data): pid goes to
    // find_get_task_by_vpid(pid_t); request is switched on as a long.
    {Arch::kX86_64, "ptrace", 0, 64, "request is used as a long"},
    {Arch::kX86_64, "ptrace", 1, 32, "pid narrowed to pid_t"},
    {Arch::kX86_64, "ptrace", 2, 64, "addr"},
    {Arch::kAarch64, "ptrace", 1, 32, "pid narrowed to pid_t"},
    // pid_t, int, unsigned int, uid_t: 32 bits.
    {Arch::kX86_64, "kill", 0, 32, "pid_t"},
    {Arch::kX86_64, "kill", 1, 32, "int sig"},
    {Arch::kX86_64, "ioctl", 1, 32, "unsigned int cmd"},
    {Arch::kX86_64, "ioctl", 2, 64, "unsigned long arg"},
    {Arch::kX86_64, "setuid", 0, 32, "uid_t"},
    {Arch::kAarch64, "setuid", 0, 32, "uid_t"},
    {Arch::kX86_64, "keyctl", 0, 32, "int option"},
    {Arch::kX86_64, "lseek", 1, 64, "off_t"},
    {Arch::kX86, "lseek", 1, 32, "registers are 32 bits on i386"},
    // kernel/uid16.c: i386's and arm's setuid, chown, ... numbers are the 16-bit uid versions.
    {Arch::kX86, "setuid", 0, 16, "setuid16(old_uid_t)"},
    {Arch::kArm, "setuid", 0, 16, "setuid16(old_uid_t)"},
    {Arch::kX86, "setresgid", 2, 16, "setresgid16(old_gid_t, old_gid_t, old_gid_t)"},
    {Arch::kX86, "chown", 1, 16, "chown16(const char *, old_uid_t, old_gid_t)"},
    {Arch::kX86, "chown", 2, 16, "chown16(const char *, old_uid_t, old_gid_t)"},
    {Arch::kX86, "fchown", 0, 32, "the fd is an unsigned int"},
    {Arch::kX32, "setuid", 0, 32, "x32 has only the 32-bit ids"},
};

TEST(ArgWidthsTest, MatchesTheKernelSourcesRowByRow) {
  for (const Expected& row : kLiteral) {
    EXPECT_EQ(ArgWidthBits(row.arch, row.syscall, row.index), row.bits)
        << ArchName(row.arch) << " " << row.syscall << " arg" << row.index << ": " << row.why;
  }
}

TEST(ArgWidthsTest, EveryUmodeTArgumentIs16BitsOnEveryAbi) {
  // Derived here from the declared type alone, independently of the table's code.
  size_t seen = 0;
  for (Arch arch : AllArches()) {
    for (const SyscallEntry& entry : AllOf(arch)) {
      const auto args = ArgsOfOn(arch, entry.name);
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].type != "umode_t") continue;
        ++seen;
        EXPECT_EQ(ArgWidthBits(arch, entry.name, static_cast<int>(i)), 16) << ArchName(arch) << " " << entry.name;
      }
    }
  }
  EXPECT_GT(seen, 8u * 8u);  // a dozen syscalls take a mode, on each of the 8 ABIs
}

TEST(ArgWidthsTest, NoArgumentIsWiderThanItsAbisRegisters) {
  for (Arch arch : AllArches()) {
    const int register_bits = GetArchInfo(arch).is_64bit ? 64 : 32;
    for (const SyscallEntry& entry : AllOf(arch)) {
      for (int i = 0; i < 6; ++i) {
        const int bits = ArgWidthBits(arch, entry.name, i);
        EXPECT_TRUE(bits == 16 || bits == 32 || bits == 64) << entry.name;
        EXPECT_LE(bits, register_bits) << ArchName(arch) << " " << entry.name << " " << i;
      }
    }
  }
}

TEST(ArgWidthsTest, Uid16OverridesApplyOnlyWhereTheKernelUsesUid16) {
  const std::set<std::string> uid16 = {"chown", "lchown", "fchown", "setuid", "setgid", "setreuid", "setregid",
                                       "setresuid", "setresgid", "setfsuid", "setfsgid"};
  for (Arch arch : AllArches()) {
    const bool has_uid16 = arch == Arch::kX86 || arch == Arch::kArm;
    for (const std::string& name : uid16) {
      if (!NumberOf(arch, name)) continue;
      const auto args = ArgsOfOn(arch, name);
      for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view type = args[i].type;
        if (type != "uid_t" && type != "gid_t") continue;
        EXPECT_EQ(ArgWidthBits(arch, name, static_cast<int>(i)), has_uid16 ? 16 : 32) << ArchName(arch) << " " << name;
      }
    }
  }
}

}  // namespace
}  // namespace sysfence::syscalls
