// SPDX-License-Identifier: Apache-2.0
#include "tests/support/kernel_oracle.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "bpf/opcodes.h"
#include "core/action.h"
#include "core/arch.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define SYSFENCE_ORACLE_X86_64 1
// Raw syscall entries. The labels after `syscall` / `int $0x80` are what the kernel reports as
// seccomp_data.instruction_pointer. `int $0x80` takes ebx, ecx, edx, esi, edi, ebp.
asm(R"(
  .pushsection .text
  .globl sysfence_oracle_syscall64
  .type sysfence_oracle_syscall64, @function
sysfence_oracle_syscall64:
  movq %rdi, %rax
  movq %rsi, %r11
  movq 0(%r11), %rdi
  movq 8(%r11), %rsi
  movq 16(%r11), %rdx
  movq 24(%r11), %r10
  movq 32(%r11), %r8
  movq 40(%r11), %r9
  syscall
  .globl sysfence_oracle_syscall64_ip
sysfence_oracle_syscall64_ip:
  ret
  .size sysfence_oracle_syscall64, .-sysfence_oracle_syscall64

  .globl sysfence_oracle_int80
  .type sysfence_oracle_int80, @function
sysfence_oracle_int80:
  pushq %rbx
  pushq %rbp
  movl %edi, %eax
  movl 0(%rsi), %ebx
  movl 4(%rsi), %ecx
  movl 8(%rsi), %edx
  movl 16(%rsi), %edi
  movl 20(%rsi), %ebp
  movl 12(%rsi), %esi
  int $0x80
  .globl sysfence_oracle_int80_ip
sysfence_oracle_int80_ip:
  popq %rbp
  popq %rbx
  movslq %eax, %rax
  ret
  .size sysfence_oracle_int80, .-sysfence_oracle_int80
  .popsection
)");

extern "C" {
long sysfence_oracle_syscall64(long nr, const uint64_t* args);
long sysfence_oracle_int80(long nr, const uint32_t* args);
extern char sysfence_oracle_syscall64_ip[];
extern char sysfence_oracle_int80_ip[];
}
#endif

namespace sysfence::testsupport {
namespace {

using bpf::Instruction;
using bpf::Program;
using bpf::Stmt;
namespace opcode = bpf::opcode;
namespace op = bpf::op;

constexpr size_t kPrologueLength = 6;
constexpr long kNrExitGroup = 231;
constexpr long kNrSeccomp = 317;
constexpr long kI386NrGetpid = 20;

Program Prologue() {
  return {
      Stmt(opcode::kLdAbs, bpf::offset::ArgHi(5)),
      bpf::Jump(op::kJmp | op::kJeq, static_cast<uint32_t>(KernelOracle::kMagic >> 32), 0, 3),
      Stmt(opcode::kLdAbs, bpf::offset::ArgLo(5)),
      bpf::Jump(op::kJmp | op::kJeq, static_cast<uint32_t>(KernelOracle::kMagic), 0, 1),
      Stmt(opcode::kRetK, seccomp_ret::kAllow),
      Stmt(opcode::kLdImm, 0),
  };
}

// Variant 0 reports the offset of every ret; variant c (1..3) makes `ret a` report bits
// [12(c-1), 12c) of A.
Program Rewrite(const Program& program, int variant) {
  Program out = Prologue();
  const size_t tail = kPrologueLength + program.size();
  for (size_t i = 0; i < program.size(); ++i) {
    Instruction insn = program[i];
    if (insn.code == opcode::kRetK || (insn.code == opcode::kRetA && variant == 0)) {
      insn = Stmt(opcode::kRetK, seccomp_ret::kErrno | static_cast<uint32_t>(i));
    } else if (insn.code == opcode::kRetA) {
      insn = Stmt(opcode::kJa, static_cast<uint32_t>(tail - (kPrologueLength + i) - 1));
    }
    out.push_back(insn);
  }
  if (variant > 0) {
    if (variant > 1) out.push_back(Stmt(op::kAlu | op::kRsh, static_cast<uint32_t>(12 * (variant - 1))));
    out.push_back(Stmt(op::kAlu | op::kAnd, 0xfff));
    out.push_back(Stmt(op::kAlu | op::kOr, seccomp_ret::kErrno));
    out.push_back(Stmt(opcode::kRetA));
  }
  return out;
}

// Shared between parent and child; the child writes, the parent reads after the child is gone.
struct SharedHeader {
  int32_t install_errno;
  int32_t phase;
  int32_t index;
};

#ifdef SYSFENCE_ORACLE_X86_64
long Call(const OracleInput& input) {
  if (input.abi == OracleAbi::kI386) {
    uint32_t args[6];
    for (int i = 0; i < 6; ++i) args[i] = static_cast<uint32_t>(input.args[i]);
    return sysfence_oracle_int80(input.nr, args);
  }
  return sysfence_oracle_syscall64(static_cast<long>(input.nr), input.args);
}

[[noreturn]] void MagicExit() {
  const uint64_t args[6] = {0, 0, 0, 0, 0, KernelOracle::kMagic};
  sysfence_oracle_syscall64(kNrExitGroup, args);
  __builtin_trap();
}

// Runs in the child: no libc calls after the first filter is installed (they could make syscalls).
[[noreturn]] void Child(const std::vector<Program>& variants, std::span<const OracleInput> inputs,
                        const std::vector<bool>& is_ret_a, SharedHeader* header, int64_t* results,
                        size_t start_index) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // a killed child must not dump core
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    header->install_errno = errno;
    _exit(0);
  }
  const size_t n = inputs.size();
  for (size_t phase = 0; phase < variants.size(); ++phase) {
    sock_fprog fprog{static_cast<unsigned short>(variants[phase].size()),
                     const_cast<sock_filter*>(reinterpret_cast<const sock_filter*>(variants[phase].data()))};
    const uint64_t args[6] = {SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<uint64_t>(&fprog), 0, 0,
                              KernelOracle::kMagic};
    const long installed = sysfence_oracle_syscall64(kNrSeccomp, args);
    if (installed < 0) {
      header->install_errno = static_cast<int32_t>(-installed);
      MagicExit();
    }
    for (size_t j = phase == 0 ? start_index : 0; j < n; ++j) {
      if (phase > 0) {
        const int64_t first = results[j];
        if (first > 0 || -first >= static_cast<int64_t>(is_ret_a.size()) || !is_ret_a[-first]) continue;
      }
      header->phase = static_cast<int32_t>(phase);
      header->index = static_cast<int32_t>(j);
      results[phase * n + j] = Call(inputs[j]);
    }
  }
  MagicExit();
}
#endif

}  // namespace

Result<KernelOracle> KernelOracle::Create() {
#ifndef SYSFENCE_ORACLE_X86_64
  return MakeError(ErrorCode::kUnsupported, "the kernel oracle needs an x86_64 build");
#else
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
    return MakeError(ErrorCode::kUnsupported, std::string("seccomp is unavailable: ") + std::strerror(errno));
  }
  KernelOracle oracle;
  // Does int 0x80 work here? Ask getpid through it in a throwaway child.
  const pid_t child = fork();
  if (child < 0) return MakeError(ErrorCode::kOs, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    const uint32_t args[6] = {};
    const long pid = sysfence_oracle_int80(kI386NrGetpid, args);
    _exit(pid == getpid() ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  oracle.i386_ = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return oracle;
#endif
}

SeccompData KernelOracle::DataFor(const OracleInput& input) const {
  SeccompData data;
  data.nr = input.nr;
#ifdef SYSFENCE_ORACLE_X86_64
  const bool i386 = input.abi == OracleAbi::kI386;
  data.arch = GetArchInfo(i386 ? Arch::kX86 : Arch::kX86_64).audit_arch;
  data.instruction_pointer = reinterpret_cast<uint64_t>(i386 ? sysfence_oracle_int80_ip : sysfence_oracle_syscall64_ip);
  for (int i = 0; i < 6; ++i) data.args[i] = i386 ? static_cast<uint32_t>(input.args[i]) : input.args[i];
#endif
  return data;
}

Result<OracleRun> KernelOracle::Run(const bpf::Program& program, std::span<const OracleInput> inputs) const {
#ifndef SYSFENCE_ORACLE_X86_64
  (void)program;
  (void)inputs;
  return MakeError(ErrorCode::kUnsupported, "the kernel oracle needs an x86_64 build");
#else
  if (program.empty() || program.size() + kPrologueLength + 4 > bpf::kMaxInstructions) {
    return MakeError(ErrorCode::kInvalidInput, "the oracle runs programs of 1 to 4086 instructions");
  }
  for (const OracleInput& input : inputs) {
    if (input.abi == OracleAbi::kI386 && !i386_) {
      return MakeError(ErrorCode::kUnsupported, "int 0x80 is not available on this kernel");
    }
    if (input.abi == OracleAbi::kX86_64 && input.args[5] == kMagic) {
      return MakeError(ErrorCode::kInvalidInput, "an input uses the oracle's magic args[5]");
    }
    if (input.abi == OracleAbi::kX86_64 && (input.nr == 335 || input.nr == 336)) {
      return MakeError(ErrorCode::kInvalidInput, "x86_64 syscalls 335/336 bypass seccomp filters");
    }
  }
  std::vector<bool> is_ret_a(program.size(), false);
  bool has_ret_a = false;
  for (size_t i = 0; i < program.size(); ++i) {
    is_ret_a[i] = program[i].code == opcode::kRetA;
    has_ret_a = has_ret_a || is_ret_a[i];
  }
  std::vector<Program> variants;
  for (int variant = 0; variant <= (has_ret_a ? 3 : 0); ++variant) variants.push_back(Rewrite(program, variant));

  const size_t n = inputs.size();
  static_assert(sizeof(SharedHeader) <= 16);
  const size_t bytes = 16 + sizeof(int64_t) * 4 * (n == 0 ? 1 : n);
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return MakeError(ErrorCode::kOs, std::string("mmap: ") + std::strerror(errno));
  auto* header = static_cast<SharedHeader*>(memory);
  auto* results = reinterpret_cast<int64_t*>(static_cast<char*>(memory) + 16);
  // A positive value is never a result (syscalls return -offset): it marks "no result".
  for (size_t i = 0; i < 4 * n; ++i) results[i] = 1;
  std::vector<bool> killed(n, false);
  OracleRun run;
  size_t start = 0;
  Error failure{ErrorCode::kInternal, ""};
  bool failed = false;
  while (true) {
    header->install_errno = 0;
    header->phase = -1;
    header->index = -1;
    const pid_t child = fork();
    if (child < 0) {
      failure = MakeError(ErrorCode::kOs, std::string("fork: ") + std::strerror(errno));
      failed = true;
      break;
    }
    if (child == 0) Child(variants, inputs, is_ret_a, header, results, start);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (header->install_errno != 0) {
      if (header->phase >= 0 || start != 0) {
        failure = MakeError(ErrorCode::kInternal, "a stacked oracle filter was refused: " +
                                                      std::string(std::strerror(header->install_errno)));
        failed = true;
      } else {
        run.accepted = false;
        run.install_errno = header->install_errno;
      }
      break;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      run.accepted = true;
      break;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && header->phase == 0 && header->index >= 0) {
      killed[static_cast<size_t>(header->index)] = true;  // results[index] stays 1: later phases skip it
      start = static_cast<size_t>(header->index) + 1;
      if (start < n) continue;
      run.accepted = true;
      if (!has_ret_a) break;
      // Later phases of the last child never ran; run them in a child that skips phase 0.
      start = n;
      continue;
    }
    failure = MakeError(ErrorCode::kInternal,
                        "oracle child ended unexpectedly (status " + std::to_string(status) + ", phase " +
                            std::to_string(header->phase) + ", input " + std::to_string(header->index) + ")");
    failed = true;
    break;
  }
  if (!failed && run.accepted) {
    run.outcomes.resize(n);
    for (size_t j = 0; j < n; ++j) {
      OracleOutcome& outcome = run.outcomes[j];
      if (killed[j]) {
        outcome.killed = true;
        continue;
      }
      const int64_t first = results[j];
      if (first > 0 || -first >= static_cast<int64_t>(program.size())) {
        failure = MakeError(ErrorCode::kInternal, "input " + std::to_string(j) + ": unexpected return " +
                                                      std::to_string(first));
        failed = true;
        break;
      }
      outcome.ret_offset = static_cast<uint32_t>(-first);
      if (is_ret_a[outcome.ret_offset]) {
        uint32_t a = 0;
        for (int chunk = 0; chunk < 3; ++chunk) {
          const int64_t part = results[static_cast<size_t>(chunk + 1) * n + j];
          a |= static_cast<uint32_t>(-part) << (12 * chunk);
        }
        outcome.a = a;
      }
    }
  }
  munmap(memory, bytes);
  if (failed) return failure;
  return run;
#endif
}

}  // namespace sysfence::testsupport
