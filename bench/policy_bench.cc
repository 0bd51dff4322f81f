// SPDX-License-Identifier: Apache-2.0
// Policy library costs, measured against each other in one run: parsing and printing a realistic
// policy, and deciding one syscall with the reference evaluator (policy::Evaluate, which expands
// groups on every call) and with the IR evaluator (ir::Evaluate over ir::BuildIr: the runtime
// supervisor's choice, which names the deciding rule without allocating).
// Prints a small table; not a test.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ir/build.h"
#include "ir/evaluate.h"
#include "policy/evaluate.h"
#include "policy/parser.h"
#include "policy/printer.h"
#include "syscalls/syscalls.h"

namespace {

using namespace sysfence;
using Clock = std::chrono::steady_clock;

constexpr char kPolicy[] = R"(arch x86_64 x86
default errno EPERM
badarch kill
allow brk munmap mremap madvise arch_prctl set_tid_address set_robust_list rseq prlimit64 getrandom
allow futex rt_sigreturn rt_sigprocmask sigaltstack exit exit_group restart_syscall
allow read write close fstat lseek pread64 writev sendfile dup dup3 pipe2
allow openat newfstatat statx getdents64 readlink getcwd
allow @time @signal
allow mmap mprotect on x86_64 if (prot & PROT_EXEC) == 0
allow socket if family in {AF_INET, AF_INET6, AF_UNIX}
allow bind listen accept4 connect getsockname getpeername setsockopt getsockopt
allow sendto recvfrom sendmsg recvmsg shutdown epoll_create1 epoll_ctl epoll_wait epoll_pwait
allow ioctl if cmd in {TCGETS, FIONBIO}
errno ENOSYS clone3
allow clone if (clone_flags & CLONE_NEWUSER) == 0
errno ENOSYS io_uring_setup io_uring_enter io_uring_register
kill ptrace process_vm_writev
fs read /etc /usr /lib
net bind tcp 8080
)";

template <typename F>
double NanosPerCall(size_t calls, F&& body) {
  const auto start = Clock::now();
  for (size_t i = 0; i < calls; ++i) body(i);
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / static_cast<double>(calls);
}

volatile int sink = 0;

}  // namespace

int main() {
  Diagnostics diagnostics;
  std::optional<policy::Policy> parsed = policy::ParsePolicy(kPolicy, "bench.sfp", diagnostics);
  if (!parsed) {
    std::fprintf(stderr, "the benchmark policy does not parse\n");
    return 1;
  }
  const policy::Policy policy = *parsed;
  const double parse_ns = NanosPerCall(2000, [](size_t) {
    Diagnostics d;
    sink = sink + static_cast<int>(policy::ParsePolicy(kPolicy, "bench.sfp", d)->rules.size());
  });
  const double print_ns = NanosPerCall(2000, [&](size_t) { sink = sink + static_cast<int>(policy::PrintPolicy(policy).size()); });
  const double build_ns = NanosPerCall(200, [&](size_t) { sink = sink + static_cast<int>(ir::BuildIr(policy)->nodes.size()); });

  // Inputs: every x86_64 syscall number with varied arguments.
  std::vector<SeccompData> inputs;
  for (const syscalls::SyscallEntry& entry : syscalls::AllOf(Arch::kX86_64)) {
    SeccompData data;
    data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
    data.nr = static_cast<int32_t>(entry.number);
    data.args[0] = entry.number % 11;
    data.args[1] = 0x5401;
    data.args[2] = entry.number & 7;
    inputs.push_back(data);
  }
  const ir::Ir compiled = ir::BuildIr(policy).value();
  const double reference_ns = NanosPerCall(20 * inputs.size(), [&](size_t i) {
    sink = sink + policy::Evaluate(policy, inputs[i % inputs.size()]).rule_index;
  });
  const double compiled_ns = NanosPerCall(2000 * inputs.size(), [&](size_t i) {
    sink = sink + ir::Evaluate(compiled, inputs[i % inputs.size()]).rule_index;
  });
  std::printf("policy: %zu rules, x86_64 + x86, %zu syscall numbers evaluated\n", policy.rules.size(), inputs.size());
  std::printf("%-40s %12s\n", "operation", "time");
  std::printf("%-40s %10.1f us\n", "ParsePolicy (web-like policy)", parse_ns / 1000);
  std::printf("%-40s %10.1f us\n", "PrintPolicy", print_ns / 1000);
  std::printf("%-40s %10.1f us\n", "ir::BuildIr (per ABI range map + DAG)", build_ns / 1000);
  std::printf("%-40s %10.1f ns\n", "Evaluate (reference), per syscall", reference_ns);
  std::printf("%-40s %10.1f ns\n", "ir::Evaluate, per syscall", compiled_ns);
  std::printf("%-40s %10.1fx\n", "IR speed-up", reference_ns / compiled_ns);
  return 0;
}
