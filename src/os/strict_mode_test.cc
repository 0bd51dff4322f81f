// SPDX-License-Identifier: Apache-2.0
// Strict mode in forked children: what it allows, what it kills, and when it cannot be entered.
#include "os/strict_mode.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_in_child.h"

namespace sysfence::os {
namespace {

using testsupport::RunInChild;

TEST(StrictMode, AllowsReadWriteAndExit) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int result = RunInChild([&] {
    if (!EnterStrictMode().ok()) return 10;
    if (write(fds[1], "ping", 4) != 4) return 11;
    char buffer[4];
    if (read(fds[0], buffer, 4) != 4) return 12;
    return 7;
  });
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(result, 7);
}

TEST(StrictMode, AnyOtherSyscallIsKilled) {
  const int result = RunInChild([&] {
    if (!EnterStrictMode().ok()) return 10;
    syscall(SYS_getpid);
    return 0;
  });
  EXPECT_EQ(result, 1000 + SIGKILL);
}

TEST(StrictMode, ExitGroupIsKilled) {
  const int result = RunInChild([&] {
    if (!EnterStrictMode().ok()) return 10;
    syscall(SYS_exit_group, 0);
    return 0;
  });
  EXPECT_EQ(result, 1000 + SIGKILL);
}

TEST(StrictMode, RefusedUnderASeccompFilter) {
  const int result = RunInChild([&] {
    sock_filter allow_all = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    sock_fprog program{1, &allow_all};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 10;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) return 11;
    Result<void> entered = EnterStrictMode();
    if (entered.ok()) return 12;
    if (entered.error().message.find("EINVAL") == std::string::npos) return 13;
    if (entered.error().message.find("already runs under a seccomp filter") == std::string::npos) return 14;
    return 0;
  });
  EXPECT_EQ(result, 0);
}

}  // namespace
}  // namespace sysfence::os
