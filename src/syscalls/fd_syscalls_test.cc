// SPDX-License-Identifier: Apache-2.0
#include "syscalls/fd_syscalls.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

const FdSyscall* Find(std::string_view name) {
  for (const FdSyscall& call : FdSyscalls()) {
    if (call.name == name) return &call;
  }
  return nullptr;
}

TEST(FdSyscallsTest, EveryEntryIsAKnownSyscallWithTheArgumentItNames) {
  ASSERT_FALSE(FdSyscalls().empty());
  for (const FdSyscall& call : FdSyscalls()) {
    SCOPED_TRACE(std::string(call.name));
    EXPECT_TRUE(IsKnownName(call.name));
    if (call.how == FdGiven::kReturned) {
      EXPECT_TRUE(call.arg.empty());
      EXPECT_TRUE(call.values.empty());
      continue;
    }
    const auto args = ArgsOf(call.name);
    EXPECT_TRUE(std::any_of(args.begin(), args.end(), [&](const ArgInfo& arg) { return arg.name == call.arg; }));
    EXPECT_EQ(call.values.empty(), call.how == FdGiven::kThroughPointer);
  }
  EXPECT_TRUE(std::is_sorted(FdSyscalls().begin(), FdSyscalls().end(),
                             [](const FdSyscall& a, const FdSyscall& b) { return a.name < b.name; }));
}

TEST(FdSyscallsTest, SaysHowEachKindGivesItsDescriptor) {
  ASSERT_NE(Find("openat"), nullptr);
  EXPECT_EQ(Find("openat")->how, FdGiven::kReturned);
  ASSERT_NE(Find("pipe2"), nullptr);
  EXPECT_EQ(Find("pipe2")->how, FdGiven::kThroughPointer);
  EXPECT_EQ(Find("pipe2")->arg, "fildes");
  // fcntl gives a descriptor for F_DUPFD and F_DUPFD_CLOEXEC only (F_GETFL returns flags).
  const FdSyscall* fcntl = Find("fcntl");
  ASSERT_NE(fcntl, nullptr);
  EXPECT_EQ(fcntl->how, FdGiven::kReturnedIfArgIn);
  EXPECT_EQ(fcntl->arg, "cmd");
  ASSERT_EQ(fcntl->values.size(), 2u);
  EXPECT_EQ(fcntl->values[0].value, FindConstant("F_DUPFD")->value);
  EXPECT_EQ(fcntl->values[1].value, FindConstant("F_DUPFD_CLOEXEC")->value);
  const FdSyscall* seccomp = Find("seccomp");
  ASSERT_NE(seccomp, nullptr);
  EXPECT_EQ(seccomp->how, FdGiven::kReturnedIfArgHas);
  ASSERT_EQ(seccomp->values.size(), 1u);
  EXPECT_EQ(seccomp->values[0].value, FindConstant("SECCOMP_FILTER_FLAG_NEW_LISTENER")->value);
  // Calls whose results are no descriptors are not listed.
  for (const char* other : {"getpid", "read", "close", "inotify_add_watch", "fanotify_mark"}) {
    EXPECT_EQ(Find(other), nullptr) << other;
  }
}

}  // namespace
}  // namespace sysfence::syscalls
