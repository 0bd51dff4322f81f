// SPDX-License-Identifier: Apache-2.0
// InstallFilter and ReadProcessFilters in forked children (the test process itself stays unfiltered).
#include "os/seccomp_install.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <pthread.h>

#include "bpf/opcodes.h"
#include "bpf/verifier.h"
#include "core/action.h"
#include "os/features.h"
#include "os/process_filters.h"

namespace sysfence::os {
namespace {

using bpf::Jump;
using bpf::Stmt;
namespace opcode = bpf::opcode;
namespace op = bpf::op;

bool SeccompFiltersAvailable() { return ProbeFeatures().seccomp_filter; }

// getppid fails with `err`; everything else is allowed.
bpf::Program DenyGetppid(uint16_t err) {
  return {Stmt(opcode::kLdAbs, bpf::offset::kNr), Jump(op::kJmp | op::kJeq, SYS_getppid, 0, 1),
          Stmt(opcode::kRetK, Action::Errno(err).ToSeccompRet()), Stmt(opcode::kRetK, seccomp_ret::kAllow)};
}

// Runs `body` in a child; the child's exit status is the test's verdict (0 = pass).
template <typename Body>
int InChild(Body body) {
  const pid_t child = fork();
  if (child == 0) _exit(body());
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(InstallFilterTest, FilterTakesEffectInTheCaller) {
  if (!SeccompFiltersAvailable()) GTEST_SKIP() << "kernel without seccomp filters [feature: seccomp-filter]";
  EXPECT_EQ(InChild([] {
              auto installed = InstallFilter(DenyGetppid(EXDEV));
              if (!installed.ok() || *installed != -1) return 1;
              if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 2;
              errno = 0;
              if (syscall(SYS_getppid) != -1 || errno != EXDEV) return 3;
              return getpid() > 0 ? 0 : 4;
            }),
            0);
}

TEST(InstallFilterTest, NewListenerReturnsAnFd) {
  auto features = ProbeFeatures();
  if (!features.HasFilterFlag("NEW_LISTENER"))
    GTEST_SKIP() << "kernel without SECCOMP_FILTER_FLAG_NEW_LISTENER [feature: user-notif]";
  EXPECT_EQ(InChild([] {
              InstallOptions options;
              options.new_listener = true;
              options.log = true;
              auto fd = InstallFilter(DenyGetppid(EPERM), options);
              if (!fd.ok() || *fd < 0) return 1;
              return fcntl(*fd, F_GETFD) >= 0 ? 0 : 2;
            }),
            0);
}

TEST(InstallFilterTest, ThreadSyncAppliesToEveryThread) {
  if (!SeccompFiltersAvailable()) GTEST_SKIP() << "kernel without seccomp filters [feature: seccomp-filter]";
  EXPECT_EQ(InChild([] {
              static int thread_errno = 0;
              static volatile bool go = false;
              pthread_t thread;
              pthread_create(
                  &thread, nullptr,
                  [](void*) -> void* {
                    while (!go) {
                    }
                    errno = 0;
                    syscall(SYS_getppid);
                    thread_errno = errno;
                    return nullptr;
                  },
                  nullptr);
              InstallOptions options;
              options.thread_sync = true;
              auto installed = InstallFilter(DenyGetppid(EXDEV), options);
              go = true;
              pthread_join(thread, nullptr);
              if (!installed.ok()) return 1;
              return thread_errno == EXDEV ? 0 : 2;
            }),
            0);
}

TEST(InstallFilterTest, ErrorsNameTheStep) {
  // The verifier runs first: nothing is installed, even no_new_privs is left alone.
  auto invalid = InstallFilter({Stmt(opcode::kLdImm, 0)});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().message.rfind("verify: ", 0), 0u) << invalid.error().message;
  EXPECT_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);

  InstallOptions bad;
  bad.wait_killable_recv = true;
  auto refused = InstallFilter(DenyGetppid(1), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("needs new_listener"), std::string::npos);
}

TEST(InstallFilterTest, WithoutNoNewPrivsNeedsCapSysAdmin) {
  if (!SeccompFiltersAvailable()) GTEST_SKIP() << "kernel without seccomp filters [feature: seccomp-filter]";
  // Drop to an unprivileged uid in the child so the kernel refuses with EACCES.
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop privileges in a child [feature: root]";
  EXPECT_EQ(InChild([] {
              if (setresuid(65534, 65534, 65534) != 0) return 10;
              InstallOptions options;
              options.set_no_new_privs = false;
              auto installed = InstallFilter(DenyGetppid(1), options);
              if (installed.ok()) return 1;
              if (installed.error().code != ErrorCode::kPermission) return 2;
              return installed.error().message.find("EACCES") != std::string::npos ? 0 : 3;
            }),
            0);
}

TEST(ReadProcessFiltersTest, ReadsEveryFilterOldestFirst) {
  auto features = ProbeFeatures();
  if (!features.ptrace_seccomp_get_filter) {
    GTEST_SKIP() << "PTRACE_SECCOMP_GET_FILTER unavailable [feature: ptrace-get-filter]: "
                 << features.ptrace_seccomp_get_filter_reason;
  }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    const bool ok = InstallFilter(DenyGetppid(1)).ok() && InstallFilter(DenyGetppid(2)).ok();
    char byte = ok ? 1 : 0;
    if (write(ready[1], &byte, 1) != 1) _exit(1);
    while (true) pause();
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  ASSERT_EQ(byte, 1);
  auto filters = ReadProcessFilters(child);
  // The child continues after detaching: it is still alive and can be killed normally.
  EXPECT_EQ(kill(child, 0), 0);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  ASSERT_EQ(filters->size(), 2u);
  EXPECT_EQ((*filters)[0], DenyGetppid(1));
  EXPECT_EQ((*filters)[1], DenyGetppid(2));
}

TEST(ReadProcessFiltersTest, UnfilteredProcessHasNone) {
  auto features = ProbeFeatures();
  if (!features.ptrace_seccomp_get_filter)
    GTEST_SKIP() << "[feature: ptrace-get-filter] " << features.ptrace_seccomp_get_filter_reason;
  const pid_t child = fork();
  if (child == 0) {
    while (true) pause();
  }
  auto filters = ReadProcessFilters(child);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  EXPECT_TRUE(filters->empty());
}

TEST(ReadProcessFiltersTest, MissingProcess) {
  auto filters = ReadProcessFilters(999999999);
  ASSERT_FALSE(filters.ok());
  EXPECT_EQ(filters.error().code, ErrorCode::kNotFound);
  EXPECT_NE(filters.error().message.find("pid 999999999"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::os
