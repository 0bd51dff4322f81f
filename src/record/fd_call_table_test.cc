// SPDX-License-Identifier: Apache-2.0
#include "record/fd_call_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "record/backends.h"
#include "syscalls/fd_syscalls.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

constexpr std::pair<Arch, uint32_t> kAbis[] = {
    {Arch::kX86_64, SF_FD_ABI_NATIVE}, {Arch::kX86, SF_FD_ABI_COMPAT}, {Arch::kX32, SF_FD_ABI_X32}};

const FdCallEntry* AtSlot(const std::vector<FdCallEntry>& entries, uint32_t slot) {
  for (const FdCallEntry& entry : entries) {
    if (entry.slot == slot) return &entry;
  }
  return nullptr;
}

uint32_t SlotOf(Arch arch, uint32_t abi, std::string_view name) {
  return abi * SF_FD_NRS + (*syscalls::NumberOf(arch, name) & ~SF_X32_BIT);
}

TEST(FdCallTableTest, EverySyscallOfTheTableIsMarkedOnEveryAbiThatHasIt) {
  Result<std::vector<FdCallEntry>> entries = FdCallEntries();
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  size_t expected = 0;
  for (const auto& [arch, abi] : kAbis) {
    for (const syscalls::FdSyscall& fact : syscalls::FdSyscalls()) {
      if (!syscalls::NumberOf(arch, fact.name)) continue;
      ++expected;
      const FdCallEntry* entry = AtSlot(entries.value(), SlotOf(arch, abi, fact.name));
      ASSERT_NE(entry, nullptr) << fact.name << " on " << ArchName(arch);
      EXPECT_EQ(entry->name, fact.name);
      EXPECT_NE(entry->call.how, SF_FD_NONE);
    }
    // A call whose result is no descriptor is not marked.
    for (const char* other : {"getpid", "read", "close", "inotify_add_watch"}) {
      EXPECT_EQ(AtSlot(entries.value(), SlotOf(arch, abi, other)), nullptr) << other << " on " << ArchName(arch);
    }
  }
  EXPECT_EQ(entries.value().size(), expected);
}

TEST(FdCallTableTest, ArgumentIndexesAndValuesFollowEachAbi) {
  Result<std::vector<FdCallEntry>> entries = FdCallEntries();
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  // i386: socketcall(SYS_SOCKET, SYS_ACCEPT, SYS_ACCEPT4) and fcntl64(fd, F_DUPFD...).
  const FdCallEntry* socketcall = AtSlot(entries.value(), SlotOf(Arch::kX86, SF_FD_ABI_COMPAT, "socketcall"));
  ASSERT_NE(socketcall, nullptr);
  EXPECT_EQ(socketcall->call.how, SF_FD_RETURNED_IF_ARG_IN);
  EXPECT_EQ(socketcall->call.arg, 0);
  EXPECT_EQ(socketcall->values, (std::vector<uint32_t>{1, 5, 18}));
  const FdCallEntry* fcntl64 = AtSlot(entries.value(), SlotOf(Arch::kX86, SF_FD_ABI_COMPAT, "fcntl64"));
  ASSERT_NE(fcntl64, nullptr);
  EXPECT_EQ(fcntl64->call.arg, 1);
  EXPECT_EQ(fcntl64->values, (std::vector<uint32_t>{0, 0x406}));
  // socketpair's int[2] is its fourth argument; seccomp's flag is a bit of its second.
  const FdCallEntry* socketpair = AtSlot(entries.value(), SlotOf(Arch::kX86_64, SF_FD_ABI_NATIVE, "socketpair"));
  ASSERT_NE(socketpair, nullptr);
  EXPECT_EQ(socketpair->call.how, SF_FD_THROUGH_POINTER);
  EXPECT_EQ(socketpair->call.arg, 3);
  const FdCallEntry* seccomp = AtSlot(entries.value(), SlotOf(Arch::kX32, SF_FD_ABI_X32, "seccomp"));
  ASSERT_NE(seccomp, nullptr);
  EXPECT_EQ(seccomp->call.how, SF_FD_RETURNED_IF_ARG_HAS);
  EXPECT_EQ(seccomp->call.arg, 1);
  EXPECT_EQ(seccomp->call.bits, 8u);
  // x32 numbers lose the x32 bit: open is 2 there as on x86_64, in the x32 range.
  EXPECT_NE(AtSlot(entries.value(), SF_FD_ABI_X32 * SF_FD_NRS + 2), nullptr);
}

// The loader writes exactly these entries into the program's maps (read back from the kernel).
TEST(FdCallTableTest, TheLoadedProgramHoldsTheTable) {
  if (Result<void> usable = EbpfUsable(); !usable.ok()) {
    GTEST_SKIP() << "[feature: ebpf] [feature: ebpf-toolchain] " << usable.error().message;
  }
  Result<std::vector<FdCallEntry>> expected = FdCallEntries();
  ASSERT_TRUE(expected.ok()) << expected.error().message;
  Result<std::vector<FdCallEntry>> loaded = LoadedFdCalls();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded.value().size(), expected.value().size());
  for (size_t i = 0; i < expected.value().size(); ++i) {
    const FdCallEntry& want = expected.value()[i];
    const FdCallEntry& got = loaded.value()[i];
    SCOPED_TRACE(std::string(want.name));
    EXPECT_EQ(got.slot, want.slot);
    EXPECT_EQ(got.call.how, want.call.how);
    EXPECT_EQ(got.call.arg, want.call.arg);
    EXPECT_EQ(got.call.bits, want.call.bits);
    std::vector<uint32_t> values = want.values;
    std::sort(values.begin(), values.end());
    EXPECT_EQ(got.values, values);
  }
}

}  // namespace
}  // namespace sysfence::record
