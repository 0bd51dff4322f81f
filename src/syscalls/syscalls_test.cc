// SPDX-License-Identifier: Apache-2.0
#include "syscalls/syscalls.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <set>
#include <string>

namespace sysfence::syscalls {
namespace {

// Asks libseccomp's resolver for the number of `name` on `arch`; nullopt when the tool is missing.
// A negative answer (unknown to this libseccomp, or a multiplexed pseudo-syscall) comes back as-is.
std::optional<long> ResolveWithLibseccomp(std::string_view arch, std::string_view name) {
  const std::string command = "scmp_sys_resolver -a " + std::string(arch) + " " + std::string(name) + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  char buffer[64] = {};
  const bool read = std::fgets(buffer, sizeof(buffer), pipe) != nullptr;
  const int status = pclose(pipe);
  if (!read || status != 0) return std::nullopt;
  return std::strtol(buffer, nullptr, 10);
}

bool HaveResolver() { return ResolveWithLibseccomp("x86_64", "read").has_value(); }

// Syscalls every policy talks about, checked on every ABI that has them.
constexpr std::array<std::string_view, 40> kSpotChecks = {
    "read",      "write",     "openat",     "close",       "mmap",         "mprotect",    "munmap",
    "brk",       "ioctl",     "clone",      "clone3",      "execve",       "execveat",    "exit_group",
    "futex",     "socket",    "connect",    "sendto",      "recvmsg",      "bind",        "ptrace",
    "prctl",     "seccomp",   "bpf",        "io_uring_setup", "landlock_create_ruleset", "pidfd_open",
    "openat2",   "faccessat2", "close_range", "rt_sigreturn", "rt_sigaction", "kill",   "tgkill",
    "getrandom", "memfd_create", "personality", "unshare",   "setns",        "mount",
};

class TableTest : public ::testing::TestWithParam<Arch> {};

std::string ArchTestName(const ::testing::TestParamInfo<Arch>& param_info) {
  return std::string(ArchName(param_info.param));
}

TEST_P(TableTest, MatchesLibseccompResolver) {
  if (!HaveResolver()) GTEST_SKIP() << "scmp_sys_resolver is not installed [feature: scmp_sys_resolver]";
  const Arch arch = GetParam();
  std::set<std::string_view> names(kSpotChecks.begin(), kSpotChecks.end());
  // Plus every 8th syscall of the table, so the whole range is sampled.
  const auto all = AllOf(arch);
  for (size_t i = 0; i < all.size(); i += 8) names.insert(all[i].name);
  int compared = 0;
  for (std::string_view name : names) {
    const auto expected = ResolveWithLibseccomp(ArchName(arch), name);
    ASSERT_TRUE(expected.has_value()) << name;
    const auto ours = NumberOf(arch, name);
    if (*expected < 0) continue;  // newer than libseccomp 2.5.4, or a socketcall/ipc pseudo-number
    ASSERT_TRUE(ours.has_value()) << name << " on " << ArchName(arch);
    EXPECT_EQ(*ours, static_cast<uint32_t>(*expected)) << name << " on " << ArchName(arch);
    ++compared;
  }
  EXPECT_GE(compared, 30) << ArchName(arch);
}

TEST_P(TableTest, NameAndNumberRoundTripForEveryEntry) {
  const Arch arch = GetParam();
  const auto all = AllOf(arch);
  ASSERT_GT(all.size(), 250u);
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(all[i - 1].number, all[i].number) << "not sorted by number";
    }
    EXPECT_EQ(NameOf(arch, all[i].number), all[i].name);
    EXPECT_EQ(NumberOf(arch, all[i].name), all[i].number);
    EXPECT_TRUE(IsKnownName(all[i].name));
  }
}

TEST_P(TableTest, UnknownNamesAndNumbersAreAbsent) {
  const Arch arch = GetParam();
  EXPECT_FALSE(NumberOf(arch, "no_such_syscall").has_value());
  EXPECT_FALSE(NumberOf(arch, "").has_value());
  EXPECT_FALSE(NumberOf(arch, "zzzz").has_value());
  EXPECT_FALSE(NameOf(arch, 0x3fffffffu).has_value());
  EXPECT_FALSE(NameOf(arch, 0xffffffffu).has_value());
}

INSTANTIATE_TEST_SUITE_P(AllArches, TableTest,
                         ::testing::Values(Arch::kX86_64, Arch::kX86, Arch::kX32, Arch::kAarch64, Arch::kArm,
                                           Arch::kRiscv64, Arch::kPpc64le, Arch::kS390x),
                         ArchTestName);

TEST(TableTest, KnownNumbers) {
  EXPECT_EQ(NumberOf(Arch::kX86_64, "read"), 0u);
  EXPECT_EQ(NumberOf(Arch::kX86_64, "openat"), 257u);
  EXPECT_EQ(NumberOf(Arch::kX86, "socketcall"), 102u);
  EXPECT_EQ(NumberOf(Arch::kAarch64, "openat"), 56u);
  EXPECT_EQ(NumberOf(Arch::kArm, "cacheflush"), 0x0f0002u);  // ARM private syscalls
  EXPECT_EQ(NumberOf(Arch::kPpc64le, "openat"), 286u);
  EXPECT_EQ(NumberOf(Arch::kS390x, "openat"), 288u);
  EXPECT_EQ(NameOf(Arch::kX86_64, 59), "execve");
  // ABIs that never had the legacy calls.
  EXPECT_FALSE(NumberOf(Arch::kAarch64, "open").has_value());
  EXPECT_FALSE(NumberOf(Arch::kRiscv64, "fork").has_value());
  EXPECT_FALSE(NumberOf(Arch::kX86_64, "socketcall").has_value());
}

TEST(TableTest, X32NumbersCarryTheX32Bit) {
  for (const SyscallEntry& entry : AllOf(Arch::kX32)) {
    EXPECT_NE(entry.number & kX32SyscallBit, 0u) << entry.name;
  }
  for (const SyscallEntry& entry : AllOf(Arch::kX86_64)) {
    EXPECT_EQ(entry.number & kX32SyscallBit, 0u) << entry.name;
  }
  EXPECT_EQ(NumberOf(Arch::kX32, "read"), kX32SyscallBit | 0u);
  EXPECT_EQ(NumberOf(Arch::kX32, "rt_sigaction"), kX32SyscallBit | 512u);  // x32's own entry
  EXPECT_EQ(NameOf(Arch::kX32, kX32SyscallBit | 257u), "openat");
  EXPECT_FALSE(NameOf(Arch::kX32, 257u).has_value());  // without the bit it is an x86_64 number
}

TEST(TableTest, AllNamesIsSortedUniqueAndCoversEveryAbi) {
  const auto names = AllNames();
  for (size_t i = 1; i < names.size(); ++i) {
    EXPECT_LT(names[i - 1], names[i]);
  }
  for (Arch arch : AllArches()) {
    for (const SyscallEntry& entry : AllOf(arch)) EXPECT_TRUE(IsKnownName(entry.name)) << entry.name;
  }
  EXPECT_TRUE(IsKnownName("socketcall"));  // x86 only
  EXPECT_TRUE(IsKnownName("riscv_flush_icache"));
  EXPECT_FALSE(IsKnownName("opnat"));
  EXPECT_FALSE(IsKnownName(""));
}

}  // namespace
}  // namespace sysfence::syscalls
