// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

TEST(ArgsTest, SignaturesFromTracefs) {
  const auto args = ArgsOf("openat");
  ASSERT_EQ(args.size(), 4u);
  EXPECT_EQ(args[0].name, "dfd");
  EXPECT_EQ(args[1].type, "const char *");
  EXPECT_EQ(args[1].kind, ArgKind::kPointer);
  EXPECT_EQ(args[2].name, "flags");
  EXPECT_EQ(args[2].kind, ArgKind::kScalar32);
  EXPECT_EQ(ArgsOf("getpid").size(), 0u);
  EXPECT_EQ(ArgsOf("no_such_syscall").size(), 0u);
}

TEST(ArgsTest, TracefsEventNamesAreMappedToSyscallNames) {
  EXPECT_EQ(ArgsOf("fstat").size(), 2u);      // tracefs: newfstat
  EXPECT_EQ(ArgsOf("uname").size(), 1u);      // tracefs: newuname
  EXPECT_EQ(ArgsOf("sendfile").size(), 4u);   // tracefs: sendfile64
  EXPECT_EQ(ArgsOf("umount2").size(), 2u);    // tracefs: umount
  EXPECT_TRUE(ArgsOf("newfstat").empty());
}

TEST(ArgsTest, SignaturesTracefsLacks) {
  const auto init = ArgsOf("init_module");
  ASSERT_EQ(init.size(), 3u);
  EXPECT_EQ(init[0].kind, ArgKind::kPointer);
  EXPECT_EQ(init[1].kind, ArgKind::kScalar64);
  const auto finit = ArgsOf("finit_module");
  ASSERT_EQ(finit.size(), 3u);
  EXPECT_EQ(finit[0].kind, ArgKind::kScalar32);
  EXPECT_EQ(ArgsOf("kexec_file_load").size(), 5u);
  EXPECT_EQ(ArgsOf("set_thread_area").size(), 1u);
}

TEST(ArgsTest, WidthsOnX86_64) {
  // The classic bypasses: ioctl cmd and friends are 32-bit; the kernel ignores the high half.
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "ioctl", 0), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "ioctl", 1), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "ioctl", 2), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mmap", 0), 64);  // addr is a pointer-sized value
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mmap", 1), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mmap", 2), 32);  // prot: only PROT_* bits are used
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mmap", 3), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mmap", 4), 32);  // fd
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mmap", 5), 64);  // offset
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "mprotect", 2), 64);  // high bits give EINVAL there
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "lseek", 1), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "lseek", 2), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "clone", 0), 32);  // lower_32_bits(clone_flags)
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "socket", 0), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "prctl", 0), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "prctl", 1), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "kill", 0), 32);  // pid_t
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "chmod", 1), 16);  // umode_t (see arg_widths_test.cc)
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "timer_settime", 0), 32);  // kernel timer_t is int
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "io_setup", 1), 64);  // aio_context_t *
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "io_destroy", 0), 64);  // aio_context_t is unsigned long
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "capget", 0), 64);  // cap_user_header_t is a pointer
  EXPECT_EQ(ArgsOf("capget")[0].kind, ArgKind::kPointer);
}

TEST(ArgsTest, X32UsesTheX86_64Widths) {
  EXPECT_EQ(ArgWidthBits(Arch::kX32, "ioctl", 1), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kX32, "lseek", 1), 64);
}

TEST(ArgsTest, UnknownSignaturesAndIndexesAreTreatedAs64Bits) {
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "no_such_syscall", 0), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "ioctl", 5), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kX86_64, "ioctl", -1), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kAarch64, "ioctl", 1), 32);  // by name on every 64-bit ABI
}

TEST(ArgsTest, EveryArgumentIs32BitsOn32BitAbisUnlessNarrower) {
  for (Arch arch : {Arch::kX86, Arch::kArm}) {
    for (const SyscallEntry& entry : AllOf(arch)) {
      for (int i = 0; i < 6; ++i) {
        const int bits = ArgWidthBits(arch, entry.name, i);
        EXPECT_TRUE(bits == 32 || bits == 16) << entry.name << " " << i << ": " << bits;
      }
    }
  }
}

TEST(ArgsTest, EverySyscallOfX86_64HasASignatureExceptUnimplementedOnes) {
  // Syscalls with no kernel implementation have no signature; everything else must.
  const std::set<std::string> unimplemented = {"afs_syscall", "epoll_ctl_old", "epoll_wait_old", "getpmsg",
                                               "putpmsg",     "security",      "nfsservctl",      "tuxcall",        "vserver",
                                               "rseq_slice_yield"};
  const std::set<std::string> no_arguments = {"getpid", "getppid", "getuid", "geteuid", "getgid", "getegid",
                                              "gettid", "fork", "vfork", "pause", "sched_yield", "sync",
                                              "setsid", "getpgrp", "munlockall", "vhangup", "inotify_init",
                                              "restart_syscall", "rt_sigreturn", "uretprobe", "uprobe"};
  for (const SyscallEntry& entry : AllOf(Arch::kX86_64)) {
    const std::string name(entry.name);
    if (unimplemented.count(name) || no_arguments.count(name)) continue;
    EXPECT_FALSE(ArgsOf(entry.name).empty()) << name;
  }
  for (const SyscallEntry& entry : AllOf(Arch::kX86_64)) {
    for (const ArgInfo& arg : ArgsOf(entry.name)) {
      EXPECT_FALSE(arg.name.empty());
      EXPECT_EQ(arg.kind == ArgKind::kPointer, arg.type.find('*') != std::string_view::npos ||
                                                   arg.type.find("cap_user_") != std::string_view::npos)
          << entry.name << " " << arg.name;
    }
  }
}

TEST(ArgsTest, CloneArgumentOrderPerAbi) {
  auto index_of = [](Arch arch, std::string_view arg) {
    const auto args = ArgsOfOn(arch, "clone");
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].name == arg) return static_cast<int>(i);
    }
    return -1;
  };
  for (Arch arch : {Arch::kX86_64, Arch::kX32, Arch::kAarch64}) {
    EXPECT_EQ(index_of(arch, "clone_flags"), 0);
    EXPECT_EQ(index_of(arch, "child_tidptr"), 3);
    EXPECT_EQ(index_of(arch, "tls"), 4);
  }
  for (Arch arch : {Arch::kX86, Arch::kArm, Arch::kRiscv64, Arch::kPpc64le}) {  // CLONE_BACKWARDS
    EXPECT_EQ(index_of(arch, "clone_flags"), 0);
    EXPECT_EQ(index_of(arch, "tls"), 3);
    EXPECT_EQ(index_of(arch, "child_tidptr"), 4);
  }
  EXPECT_EQ(index_of(Arch::kS390x, "newsp"), 0);  // CLONE_BACKWARDS2
  EXPECT_EQ(index_of(Arch::kS390x, "clone_flags"), 1);
  EXPECT_EQ(ArgWidthBits(Arch::kS390x, "clone", 1), 32);
  EXPECT_EQ(ArgWidthBits(Arch::kS390x, "clone", 0), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kRiscv64, "clone", 3), 64);  // tls
}

TEST(ArgsTest, OldMmapTakesOnePointer) {
  for (Arch arch : {Arch::kX86, Arch::kS390x}) {
    const auto args = ArgsOfOn(arch, "mmap");
    ASSERT_EQ(args.size(), 1u);
    EXPECT_EQ(args[0].kind, ArgKind::kPointer);
  }
  EXPECT_EQ(ArgWidthBits(Arch::kS390x, "mmap", 0), 64);
  EXPECT_EQ(ArgWidthBits(Arch::kS390x, "mmap", 2), 64);  // no such argument there
  EXPECT_EQ(ArgsOfOn(Arch::kAarch64, "mmap").size(), 6u);
  EXPECT_EQ(ArgsOfOn(Arch::kX86, "mmap2").size(), 6u);
}

TEST(ArgsTest, ThirtyTwoBitAbisStopBeforeRegisterPairs) {
  // pread64(fd, buf, count, pos): pos takes two registers on x86 and arm (and padding on arm).
  EXPECT_EQ(ArgsOf("pread64").size(), 4u);
  EXPECT_EQ(ArgsOfOn(Arch::kX86, "pread64").size(), 3u);
  EXPECT_EQ(ArgsOfOn(Arch::kArm, "pread64").size(), 3u);
  EXPECT_EQ(ArgsOfOn(Arch::kX86_64, "pread64").size(), 4u);
  EXPECT_EQ(ArgsOfOn(Arch::kX32, "pread64").size(), 4u);  // x32 passes 64-bit registers
  // fanotify_mark(fd, flags, mask, dfd, pathname): dfd's index is not 3 on 32-bit ABIs.
  EXPECT_EQ(ArgsOfOn(Arch::kArm, "fanotify_mark").size(), 2u);
  EXPECT_EQ(ArgsOfOn(Arch::kX86, "openat").size(), 4u);  // nothing 64-bit: unchanged
}

}  // namespace
}  // namespace sysfence::syscalls
