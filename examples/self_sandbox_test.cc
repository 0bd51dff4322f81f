// SPDX-License-Identifier: Apache-2.0
// Proves what examples/self_sandbox promises: it works, a forbidden syscall kills it with SIGSYS,
// x32 and int 0x80 syscalls are denied, and its filter checks the architecture first. Each attack is
// also run without the sandbox, to show it would otherwise get through.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "inspect/disassembler.h"
#include "bpf/evaluator.h"
#include "core/arch.h"
#include "self_sandbox_policy.h"

namespace {

using ::testing::HasSubstr;

constexpr uint32_t kAuditArchX86_64 = 0xc000003eu;
constexpr uint32_t kAuditArchI386 = 0x40000003u;
constexpr uint32_t kAuditArchAarch64 = 0xc00000b7u;

struct Outcome {
  int status = 0;  // raw waitpid status
  std::string out;
};

// Runs the example with `args`, feeding `input` on stdin; collects stdout and the wait status.
Outcome RunExample(const std::vector<std::string>& args, const std::string& input) {
  int in_pipe[2], out_pipe[2];
  EXPECT_EQ(pipe(in_pipe), 0);
  EXPECT_EQ(pipe(out_pipe), 0);
  fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    close(in_pipe[0]);
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(out_pipe[1]);
    std::vector<char*> argv = {const_cast<char*>(SELF_SANDBOX_PATH)};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(SELF_SANDBOX_PATH, argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  (void)!write(in_pipe[1], input.data(), input.size());
  close(in_pipe[1]);
  Outcome outcome;
  char buffer[4096];
  ssize_t got;
  while ((got = read(out_pipe[0], buffer, sizeof buffer)) > 0) outcome.out.append(buffer, static_cast<size_t>(got));
  close(out_pipe[0]);
  waitpid(pid, &outcome.status, 0);
  return outcome;
}

// Runs `body` in a forked child without any sandbox: its wait status.
int RunUnsandboxed(const std::function<void()>& body) {
  fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

bool KilledBySigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }

TEST(SelfSandbox, EchoesInsideTheSandbox) {
  const Outcome outcome = RunExample({}, "hello\nworld\n");
  ASSERT_TRUE(WIFEXITED(outcome.status)) << "status " << outcome.status << ", output: " << outcome.out;
  EXPECT_EQ(WEXITSTATUS(outcome.status), 0);
  EXPECT_THAT(outcome.out, HasSubstr("sandboxed; echoing standard input\n"));
  EXPECT_THAT(outcome.out, HasSubstr("> hello\nworld\n"));
}

TEST(SelfSandbox, ForbiddenSyscallKillsWithSigsys) {
  const Outcome outcome = RunExample({"--try", "getpid"}, "");
  EXPECT_TRUE(KilledBySigsys(outcome.status)) << "status " << outcome.status << ", output: " << outcome.out;
  EXPECT_THAT(outcome.out, HasSubstr("trying getpid"));
  EXPECT_THAT(outcome.out, ::testing::Not(HasSubstr("did not stop it")));
}

TEST(SelfSandbox, X32SyscallIsDenied) {
  // Unsandboxed, the x32 write either works or is ENOSYS (kernel without x32): never SIGSYS.
  const int control = RunUnsandboxed([] { syscall(0x40000000 | 1, -1, "", 0); });
  ASSERT_TRUE(WIFEXITED(control)) << "control status " << control;
  const Outcome outcome = RunExample({"--try", "x32"}, "");
  EXPECT_TRUE(KilledBySigsys(outcome.status)) << "status " << outcome.status << ", output: " << outcome.out;
  EXPECT_THAT(outcome.out, ::testing::Not(HasSubstr("x32 write got through")));
}

#if defined(__x86_64__)
TEST(SelfSandbox, Int80SyscallIsDenied) {
  // Unsandboxed, int 0x80 with eax=1 is i386 exit(42): the attack works when the kernel has IA-32
  // emulation, which is what the architecture check is for.
  const int control = RunUnsandboxed([] {
    long result;
    asm volatile("int $0x80" : "=a"(result) : "a"(1L), "b"(42L) : "memory");
    (void)result;
  });
  if (WIFSIGNALED(control) && WTERMSIG(control) == SIGSEGV) {
    GTEST_SKIP() << "kernel without IA-32 emulation: int 0x80 faults before seccomp sees it";
  }
  ASSERT_TRUE(WIFEXITED(control));
  ASSERT_EQ(WEXITSTATUS(control), 42);
  const Outcome outcome = RunExample({"--try", "int80"}, "");
  EXPECT_TRUE(KilledBySigsys(outcome.status)) << "status " << outcome.status << ", output: " << outcome.out;
}
#endif

class SelfSandboxFilter : public ::testing::Test {
 protected:
  void SetUp() override {
    sysfence::StatusOr<sysfence::Policy> policy = sysfence_examples::SelfSandboxPolicy();
    ASSERT_TRUE(policy.ok()) << policy.status().message();
    sysfence::StatusOr<std::vector<sysfence::FilterInstruction>> filter = policy->CompileFilter();
    ASSERT_TRUE(filter.ok()) << filter.status().message();
    for (const sysfence::FilterInstruction& insn : *filter) program_.push_back({insn.code, insn.jt, insn.jf, insn.k});
  }
  sysfence::Action Run(uint32_t arch, uint32_t nr) {
    sysfence::bpf::SeccompData data;
    data.arch = arch;
    data.nr = static_cast<int32_t>(nr);
    sysfence::Result<sysfence::bpf::EvalResult> result = sysfence::bpf::Evaluate(program_, data);
    EXPECT_TRUE(result.ok());
    return result.ok() ? result->action : sysfence::Action::Allow();
  }
  sysfence::bpf::Program program_;
};

TEST_F(SelfSandboxFilter, ChecksTheArchitectureFirst) {
  ASSERT_FALSE(program_.empty());
  // The first instruction loads seccomp_data.arch (offset 4), before the number is looked at.
  EXPECT_EQ(program_[0].code, sysfence::bpf::op::kLd | sysfence::bpf::op::kW | sysfence::bpf::op::kAbs);
  EXPECT_EQ(program_[0].k, sysfence::bpf::offset::kArch);
  EXPECT_THAT(sysfence::inspect::Disassemble(program_), HasSubstr("[arch]"));
}

TEST_F(SelfSandboxFilter, DecidesEachCase) {
  const sysfence::Action kill = sysfence::Action::KillProcess();
  EXPECT_EQ(Run(kAuditArchX86_64, 0), sysfence::Action::Allow());     // read
  EXPECT_EQ(Run(kAuditArchX86_64, 1), sysfence::Action::Allow());     // write
  EXPECT_EQ(Run(kAuditArchX86_64, 60), sysfence::Action::Allow());    // exit
  EXPECT_EQ(Run(kAuditArchX86_64, 231), sysfence::Action::Allow());   // exit_group
  EXPECT_EQ(Run(kAuditArchX86_64, 15), sysfence::Action::Allow());    // rt_sigreturn
  EXPECT_EQ(Run(kAuditArchX86_64, 39), kill);                          // getpid: default kill
  EXPECT_EQ(Run(kAuditArchX86_64, 59), kill);                          // execve
  EXPECT_EQ(Run(kAuditArchX86_64, 0x40000000u | 1), kill);             // x32 write
  EXPECT_EQ(Run(kAuditArchX86_64, 0x40000000u | 0), kill);             // x32 read
  EXPECT_EQ(Run(kAuditArchI386, 1), kill);                             // int 0x80 exit
  EXPECT_EQ(Run(kAuditArchI386, 3), kill);                             // int 0x80 read
  EXPECT_EQ(Run(kAuditArchAarch64, 63), kill);                         // another arch's read
  EXPECT_EQ(Run(kAuditArchX86_64, 0xffffffffu), kill);                 // nr -1
}

// The tutorial filter this example replaces: numbers only. It lets i386 exit (nr 1) through as
// x86_64 write, which is the bug the architecture check prevents.
TEST_F(SelfSandboxFilter, TheHandWrittenTutorialFilterHasTheHole) {
  using namespace sysfence::bpf::op;
  const uint32_t allow = sysfence::seccomp_ret::kAllow;
  const uint32_t kill_process = sysfence::seccomp_ret::kKillProcess;
  program_ = {
      {kLd | kW | kAbs, 0, 0, sysfence::bpf::offset::kNr},
      {kJmp | kJeq | kK, 3, 0, 0},    // read
      {kJmp | kJeq | kK, 2, 0, 1},    // write
      {kJmp | kJeq | kK, 1, 0, 60},   // exit
      {kRet | kK, 0, 0, kill_process},
      {kRet | kK, 0, 0, allow},
  };
  EXPECT_EQ(Run(kAuditArchI386, 1), sysfence::Action::Allow());  // the hole
}

}  // namespace
