// SPDX-License-Identifier: Apache-2.0
// A process with two stacked seccomp filters, for `--pid` tests: the first installed answers ptrace
// with EPERM, the second kills on mount; both allow the rest. Prints "ready PID" and sleeps.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <cstddef>
#include <cstdio>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int Install(unsigned int nr, unsigned int ret) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, ret),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
  return static_cast<int>(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program));
}

int main(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 1;
  if (Install(SYS_ptrace, SECCOMP_RET_ERRNO | 1) != 0) return 2;
  if (Install(SYS_mount, SECCOMP_RET_KILL_PROCESS) != 0) return 3;
  printf("ready %d\n", static_cast<int>(getpid()));
  fflush(stdout);
  sleep(600);
  return 0;
}
