// SPDX-License-Identifier: Apache-2.0
// The generated constants against the system headers, compiled into this test only.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <asm/prctl.h>

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/errno_names.h"
#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

uint64_t ValueOf(std::string_view name) {
  const Constant* constant = FindConstant(name);
  EXPECT_NE(constant, nullptr) << name;
  return constant == nullptr ? ~0ull : constant->value;
}

std::string_view FamilyOf(std::string_view name) {
  const Constant* constant = FindConstant(name);
  return constant == nullptr ? std::string_view("<missing>") : constant->family;
}

// Compares with the header's value, sign-extended from int as a C caller passes it.
#define EXPECT_HEADER_VALUE(NAME) \
  EXPECT_EQ(ValueOf(#NAME), static_cast<uint64_t>(static_cast<long long>(NAME))) << #NAME

TEST(ConstantsTest, MatchSystemHeaders) {
  EXPECT_HEADER_VALUE(AF_UNIX);
  EXPECT_HEADER_VALUE(AF_INET);
  EXPECT_HEADER_VALUE(AF_INET6);
  EXPECT_HEADER_VALUE(AF_NETLINK);
  EXPECT_HEADER_VALUE(AF_PACKET);
  EXPECT_HEADER_VALUE(AF_VSOCK);
  EXPECT_HEADER_VALUE(SOCK_STREAM);
  EXPECT_HEADER_VALUE(SOCK_DGRAM);
  EXPECT_HEADER_VALUE(SOCK_RAW);
  EXPECT_HEADER_VALUE(SOCK_NONBLOCK);
  EXPECT_HEADER_VALUE(SOCK_CLOEXEC);
  EXPECT_HEADER_VALUE(IPPROTO_TCP);
  EXPECT_HEADER_VALUE(IPPROTO_UDP);
  EXPECT_HEADER_VALUE(IPPROTO_ICMPV6);
  EXPECT_HEADER_VALUE(SOL_SOCKET);
  EXPECT_HEADER_VALUE(SO_REUSEADDR);
  EXPECT_HEADER_VALUE(SO_ATTACH_FILTER);
  EXPECT_HEADER_VALUE(SO_PEERCRED);
  EXPECT_HEADER_VALUE(MSG_DONTWAIT);
  EXPECT_HEADER_VALUE(O_RDONLY);
  EXPECT_HEADER_VALUE(O_WRONLY);
  EXPECT_HEADER_VALUE(O_RDWR);
  EXPECT_HEADER_VALUE(O_CREAT);
  EXPECT_HEADER_VALUE(O_TRUNC);
  EXPECT_HEADER_VALUE(O_CLOEXEC);
  EXPECT_HEADER_VALUE(O_DIRECTORY);
  EXPECT_HEADER_VALUE(O_PATH);
  EXPECT_HEADER_VALUE(O_TMPFILE);
  EXPECT_HEADER_VALUE(O_NOFOLLOW);
  EXPECT_HEADER_VALUE(AT_FDCWD);
  EXPECT_HEADER_VALUE(AT_EMPTY_PATH);
  EXPECT_HEADER_VALUE(AT_SYMLINK_NOFOLLOW);
  EXPECT_HEADER_VALUE(AT_REMOVEDIR);
  EXPECT_HEADER_VALUE(PROT_READ);
  EXPECT_HEADER_VALUE(PROT_WRITE);
  EXPECT_HEADER_VALUE(PROT_EXEC);
  EXPECT_HEADER_VALUE(MAP_SHARED);
  EXPECT_HEADER_VALUE(MAP_PRIVATE);
  EXPECT_HEADER_VALUE(MAP_ANONYMOUS);
  EXPECT_HEADER_VALUE(MAP_FIXED);
  EXPECT_HEADER_VALUE(MAP_FIXED_NOREPLACE);
  EXPECT_HEADER_VALUE(MREMAP_MAYMOVE);
  EXPECT_HEADER_VALUE(MADV_DONTNEED);
  EXPECT_HEADER_VALUE(MADV_FREE);
  EXPECT_HEADER_VALUE(MFD_CLOEXEC);
  EXPECT_HEADER_VALUE(MFD_ALLOW_SEALING);
  EXPECT_HEADER_VALUE(EFD_NONBLOCK);
  EXPECT_HEADER_VALUE(CLONE_NEWUSER);
  EXPECT_HEADER_VALUE(CLONE_NEWNS);
  EXPECT_HEADER_VALUE(CLONE_THREAD);
  EXPECT_HEADER_VALUE(CLONE_VM);
  EXPECT_HEADER_VALUE(CLONE_PIDFD);
  EXPECT_EQ(ValueOf("CLONE_INTO_CGROUP"), static_cast<uint64_t>(CLONE_INTO_CGROUP));  // a 64-bit flag
  EXPECT_HEADER_VALUE(PR_SET_NO_NEW_PRIVS);
  EXPECT_HEADER_VALUE(PR_SET_SECCOMP);
  EXPECT_HEADER_VALUE(PR_CAPBSET_DROP);
  EXPECT_HEADER_VALUE(PR_SET_DUMPABLE);
  EXPECT_EQ(ValueOf("PR_SET_PTRACER_ANY"), static_cast<uint64_t>(PR_SET_PTRACER_ANY));
  EXPECT_HEADER_VALUE(F_GETFL);
  EXPECT_HEADER_VALUE(F_SETFL);
  EXPECT_HEADER_VALUE(F_DUPFD_CLOEXEC);
  EXPECT_HEADER_VALUE(F_ADD_SEALS);
  EXPECT_HEADER_VALUE(F_SEAL_WRITE);
  EXPECT_HEADER_VALUE(FD_CLOEXEC);
  EXPECT_HEADER_VALUE(TIOCSTI);
  EXPECT_HEADER_VALUE(TIOCGWINSZ);
  EXPECT_HEADER_VALUE(TIOCLINUX);
  EXPECT_HEADER_VALUE(TCGETS);
  EXPECT_HEADER_VALUE(TCSETS);
  EXPECT_HEADER_VALUE(FIONREAD);
  EXPECT_HEADER_VALUE(FIONBIO);
  EXPECT_HEADER_VALUE(FIOCLEX);
  EXPECT_HEADER_VALUE(SIGKILL);
  EXPECT_HEADER_VALUE(SIGSYS);
  EXPECT_HEADER_VALUE(SIGCHLD);
  EXPECT_HEADER_VALUE(SIG_BLOCK);
  EXPECT_HEADER_VALUE(ARCH_SET_FS);
  EXPECT_HEADER_VALUE(ARCH_GET_CPUID);
  EXPECT_HEADER_VALUE(SECCOMP_SET_MODE_FILTER);
  EXPECT_HEADER_VALUE(SECCOMP_FILTER_FLAG_NEW_LISTENER);
  EXPECT_EQ(ValueOf("SECCOMP_RET_KILL_PROCESS"), 0x80000000u);
  EXPECT_EQ(ValueOf("SECCOMP_IOCTL_NOTIF_RECV"), static_cast<uint64_t>(SECCOMP_IOCTL_NOTIF_RECV));
  EXPECT_HEADER_VALUE(GRND_NONBLOCK);
  EXPECT_HEADER_VALUE(GRND_RANDOM);
  EXPECT_HEADER_VALUE(FUTEX_WAIT);
  EXPECT_HEADER_VALUE(FUTEX_WAKE_PRIVATE);
  EXPECT_HEADER_VALUE(PER_LINUX);
  EXPECT_HEADER_VALUE(PER_LINUX32);
  EXPECT_HEADER_VALUE(ADDR_NO_RANDOMIZE);
  EXPECT_HEADER_VALUE(READ_IMPLIES_EXEC);
}

TEST(ConstantsTest, FamiliesAreThePrefixes) {
  EXPECT_EQ(FamilyOf("AF_INET"), "AF");
  EXPECT_EQ(FamilyOf("SOCK_CLOEXEC"), "SOCK");
  EXPECT_EQ(FamilyOf("O_CREAT"), "O");
  EXPECT_EQ(FamilyOf("PROT_EXEC"), "PROT");
  EXPECT_EQ(FamilyOf("MAP_SHARED"), "MAP");
  EXPECT_EQ(FamilyOf("CLONE_NEWUSER"), "CLONE");
  EXPECT_EQ(FamilyOf("PR_SET_SECCOMP"), "PR");
  EXPECT_EQ(FamilyOf("PR_CAP_AMBIENT_RAISE"), "PR_arg");  // a value of arg2, not an option
  EXPECT_EQ(FamilyOf("F_SETFL"), "F");
  EXPECT_EQ(FamilyOf("TIOCSTI"), "ioctl");
  EXPECT_EQ(FamilyOf("TCGETS"), "ioctl");
  EXPECT_EQ(FamilyOf("FIONREAD"), "ioctl");
  EXPECT_EQ(FamilyOf("EPERM"), "errno");
  EXPECT_EQ(FamilyOf("ADDR_NO_RANDOMIZE"), "personality");
  EXPECT_EQ(FamilyOf("MS_BIND"), "MS");
  EXPECT_EQ(FamilyOf("MS_SYNC"), "msync");
}

TEST(ConstantsTest, ValuesTheHeadersGetWrongForFilters) {
  EXPECT_EQ(ValueOf("O_LARGEFILE"), 0100000u);  // glibc says 0 on 64-bit; 32-bit callers pass the bit
  EXPECT_EQ(ValueOf("SIGRTMIN"), 32u);         // glibc's is a function call
  EXPECT_EQ(ValueOf("AT_FDCWD"), 0xffffffffffffff9cull);
}

TEST(ConstantsTest, NewerThanTheInstalledHeaders) {
  EXPECT_EQ(ValueOf("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP"), 1u);
  EXPECT_EQ(ValueOf("SECCOMP_IOCTL_NOTIF_SET_FLAGS"), 0x40082104u);
  EXPECT_EQ(ValueOf("MFD_NOEXEC_SEAL"), 8u);
  EXPECT_EQ(ValueOf("PR_SET_MDWE"), 65u);
  EXPECT_EQ(ValueOf("F_DUPFD_QUERY"), 1027u);
}

TEST(ConstantsTest, ErrnoFamilyAgreesWithCore) {
  int count = 0;
  for (const Constant& constant : AllConstants()) {
    if (constant.family != "errno") continue;
    EXPECT_EQ(ErrnoFromName(constant.name), static_cast<int>(constant.value)) << constant.name;
    ++count;
  }
  EXPECT_GT(count, 120);
  EXPECT_EQ(ValueOf("EPERM"), static_cast<uint64_t>(EPERM));
  EXPECT_EQ(ValueOf("ENOSYS"), static_cast<uint64_t>(ENOSYS));
}

TEST(ConstantsTest, SortedUniqueNamesAndLookups) {
  const auto all = AllConstants();
  ASSERT_GT(all.size(), 800u);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].name, all[i].name);
  }
  for (const Constant& constant : all) {
    EXPECT_EQ(FindConstant(constant.name), &constant);
    EXPECT_FALSE(constant.family.empty());
  }
  EXPECT_EQ(FindConstant("O_RDONLYY"), nullptr);
  EXPECT_EQ(FindConstant(""), nullptr);
  EXPECT_EQ(FindConstant("o_rdonly"), nullptr);  // names are case-sensitive, like C
}

TEST(ConstantsTest, DecodesValuesWithinAFamily) {
  EXPECT_EQ(ConstantNamesFor("ioctl", TIOCSTI), std::vector<std::string_view>{"TIOCSTI"});
  const auto unix_names = ConstantNamesFor("AF", AF_UNIX);
  EXPECT_EQ(std::set<std::string_view>(unix_names.begin(), unix_names.end()),
            (std::set<std::string_view>{"AF_FILE", "AF_LOCAL", "AF_UNIX"}));
  EXPECT_EQ(ConstantNamesFor("PR", PR_SET_NO_NEW_PRIVS), std::vector<std::string_view>{"PR_SET_NO_NEW_PRIVS"});
  EXPECT_TRUE(ConstantNamesFor("AF", 12345).empty());
  EXPECT_TRUE(ConstantNamesFor("no-such-family", 1).empty());
}

TEST(ConstantsTest, ValuesPerAbi) {
  EXPECT_EQ(ConstantValueOn(Arch::kX86_64, "O_DIRECTORY"), static_cast<uint64_t>(O_DIRECTORY));
  EXPECT_EQ(ConstantValueOn(Arch::kX86, "O_DIRECTORY"), 0200000u);
  EXPECT_EQ(ConstantValueOn(Arch::kRiscv64, "O_DIRECTORY"), 0200000u);  // generic
  EXPECT_EQ(ConstantValueOn(Arch::kAarch64, "O_DIRECTORY"), 040000u);
  EXPECT_EQ(ConstantValueOn(Arch::kArm, "O_NOFOLLOW"), 0100000u);
  EXPECT_EQ(ConstantValueOn(Arch::kPpc64le, "O_DIRECT"), 0400000u);
  EXPECT_EQ(ConstantValueOn(Arch::kAarch64, "O_TMPFILE"), 020040000u);
  EXPECT_EQ(ConstantValueOn(Arch::kPpc64le, "MAP_NORESERVE"), 0x40u);
  EXPECT_EQ(ConstantValueOn(Arch::kPpc64le, "SO_PEERCRED"), 21u);
  EXPECT_EQ(ConstantValueOn(Arch::kS390x, "SO_PEERCRED"), static_cast<uint64_t>(SO_PEERCRED));
  EXPECT_EQ(ConstantValueOn(Arch::kAarch64, "AF_INET"), static_cast<uint64_t>(AF_INET));
  EXPECT_EQ(ConstantValueOn(Arch::kAarch64, "TIOCSTI"), static_cast<uint64_t>(TIOCSTI));
  // Unknown there: ppc64le's ioctl encoding, x86-only constants elsewhere, unknown names.
  EXPECT_FALSE(ConstantValueOn(Arch::kPpc64le, "TIOCSTI").has_value());
  EXPECT_FALSE(ConstantValueOn(Arch::kAarch64, "ARCH_SET_FS").has_value());
  EXPECT_EQ(ConstantValueOn(Arch::kX32, "ARCH_SET_FS"), static_cast<uint64_t>(ARCH_SET_FS));
  EXPECT_FALSE(ConstantValueOn(Arch::kPpc64le, "MAP_32BIT").has_value());
  EXPECT_FALSE(ConstantValueOn(Arch::kX86_64, "NO_SUCH_CONSTANT").has_value());
  // Every constant has a value on x86_64 equal to the table's.
  for (const Constant& constant : AllConstants()) {
    EXPECT_EQ(ConstantValueOn(Arch::kX86_64, constant.name), constant.value) << constant.name;
  }
}

}  // namespace
}  // namespace sysfence::syscalls
