// SPDX-License-Identifier: Apache-2.0
// The few kernel types record.bpf.c reads, declared by hand with preserve_access_index so the
// program builds without a vmlinux.h and libbpf relocates every field access (CO-RE) against the
// running kernel's BTF when it loads. x86_64 only (the register names are that ABI's).
#ifndef SYSFENCE_BPF_RECORD_KERNEL_TYPES_H_
#define SYSFENCE_BPF_RECORD_KERNEL_TYPES_H_

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef int pid_t;
typedef _Bool bool;

enum bpf_map_type {
  BPF_MAP_TYPE_HASH = 1,
  BPF_MAP_TYPE_ARRAY = 2,
  BPF_MAP_TYPE_PERCPU_HASH = 5,
  BPF_MAP_TYPE_PERCPU_ARRAY = 6,
};

enum {
  BPF_F_NO_PREALLOC = 1,
};

enum {
  BPF_ANY = 0,
  BPF_NOEXIST = 1,
  BPF_EXIST = 2,
};

struct pt_regs {
  unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

struct thread_info {
  unsigned long flags;
  unsigned long syscall_work;
  __u32 status;
} __attribute__((preserve_access_index));

struct task_struct {
  struct thread_info thread_info;
  pid_t pid;
  pid_t tgid;
  char comm[16];
} __attribute__((preserve_access_index));

struct linux_binprm {
  const char *filename;
} __attribute__((preserve_access_index));

#endif  // SYSFENCE_BPF_RECORD_KERNEL_TYPES_H_
