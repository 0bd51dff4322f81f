// SPDX-License-Identifier: Apache-2.0
// The argument-width table against the kernel, not against itself: the kernel really reads only 16
// bits of a mode (a real fchmodat with mode 0x109ed sets 04755), and the compiled filter, run in the
// kernel, treats 0x109ed as 04755.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "inspect/disassembler.h"
#include "codegen/compile.h"
#include "policy/parser.h"
#include "syscalls/syscalls.h"
#include "tests/support/kernel_oracle.h"

namespace sysfence::differential {
namespace {

constexpr uint64_t kModeWithBit16 = 0x109ed;  // 04755 | 1 << 16

TEST(ArgWidthKernelTest, TheKernelReadsSixteenBitsOfAMode) {
  char path[] = "/tmp/sysfence-width-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  // The raw syscall, so no library narrows the value first.
  const long rc = syscall(SYS_fchmodat, AT_FDCWD, path, static_cast<unsigned long>(kModeWithBit16), 0);
  struct stat st {};
  const int stat_rc = stat(path, &st);
  unlink(path);
  ASSERT_EQ(rc, 0) << "fchmodat failed";
  ASSERT_EQ(stat_rc, 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);  // bit 16 dropped: the kernel saw 04755
  EXPECT_EQ(syscalls::ArgWidthBits(Arch::kX86_64, "fchmodat", 2), 16);
}

TEST(ArgWidthKernelTest, TheCompiledFilterTreatsTheWideModeAsTheNarrowOne) {
  auto oracle = testsupport::KernelOracle::Create();
  if (!oracle.ok())
    GTEST_SKIP() << "no kernel oracle here [feature: seccomp-filter] [feature: x86_64]: " << oracle.error().message;
  Diagnostics diagnostics;
  const auto p = policy::ParsePolicy("arch x86_64 x86\ndefault allow\nerrno EPERM fchmodat if mode == 04755\n"
                                     "errno EACCES chmod if mode > 0777\nerrno EBADF close if fd == -1\n",
                                     "width.sfp", diagnostics);
  ASSERT_TRUE(p.has_value());
  auto program = codegen::Compile(*p);
  ASSERT_TRUE(program.ok());
  EXPECT_NE(inspect::Disassemble(*program).find("0xffff"), std::string::npos) << inspect::Disassemble(*program);
  const int32_t fchmodat = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "fchmodat"));
  const int32_t chmod = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "chmod"));
  const int32_t close = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "close"));
  struct Case {
    testsupport::OracleAbi abi;
    int32_t nr;
    int index;
    uint64_t mode;
    uint32_t expected;
  };
  const uint32_t eperm = Action::Errno(1).ToSeccompRet(), eacces = Action::Errno(13).ToSeccompRet();
  const uint32_t allow = Action::Allow().ToSeccompRet(), ebadf = Action::Errno(9).ToSeccompRet();
  std::vector<Case> cases = {
      {testsupport::OracleAbi::kX86_64, fchmodat, 2, 04755, eperm},
      {testsupport::OracleAbi::kX86_64, fchmodat, 2, kModeWithBit16, eperm},
      {testsupport::OracleAbi::kX86_64, fchmodat, 2, 0xdead000000fe09edull, eperm},
      {testsupport::OracleAbi::kX86_64, fchmodat, 2, 0755, allow},
      {testsupport::OracleAbi::kX86_64, chmod, 1, 0x10000 | 0644, allow},
      {testsupport::OracleAbi::kX86_64, chmod, 1, 0x10000 | 04000, eacces},
      // A 32-bit argument: `fd == -1` is its low half 0xffffffff, whatever the high half holds.
      {testsupport::OracleAbi::kX86_64, close, 0, 0xffffffffu, ebadf},
      {testsupport::OracleAbi::kX86_64, close, 0, ~uint64_t{0}, ebadf},
      {testsupport::OracleAbi::kX86_64, close, 0, 0x7fffffffu, allow},
  };
  if (oracle->SupportsI386()) {
    const int32_t i386_fchmodat = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86, "fchmodat"));
    cases.push_back({testsupport::OracleAbi::kI386, i386_fchmodat, 2, kModeWithBit16, eperm});
    cases.push_back({testsupport::OracleAbi::kI386, i386_fchmodat, 2, 0x10755, allow});
  }
  std::vector<testsupport::OracleInput> inputs;
  for (const Case& c : cases) {
    testsupport::OracleInput in;
    in.abi = c.abi;
    in.nr = c.nr;
    in.args[c.index] = c.mode;
    inputs.push_back(in);
  }
  auto run = oracle->Run(*program, inputs);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(run->accepted) << run->install_errno;
  for (size_t i = 0; i < cases.size(); ++i) {
    ASSERT_FALSE(run->outcomes[i].killed);
    EXPECT_EQ((*program)[run->outcomes[i].ret_offset].k, cases[i].expected) << "case " << i;
  }
  if (!oracle->SupportsI386()) GTEST_SKIP() << testsupport::kNoI386Reason;
}

}  // namespace
}  // namespace sysfence::differential
