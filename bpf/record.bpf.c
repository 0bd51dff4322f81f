// SPDX-License-Identifier: Apache-2.0
// sysfence's recording program: follows a process tree (fork, exec, exit) and counts, per process
// image and syscall, calls, errors, first/last time and position, and collects distinct values of
// the scalar arguments the loader asks for (argmask), all inside the kernel. BTF-enabled raw
// tracepoints (tp_btf) need no tracefs mount.
#include "record_kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "record_types.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TS_COMPAT 0x0002 /* x86: a 32-bit syscall is running */

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32); /* tgid */
  __type(value, struct sf_proc);
} procs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct sf_key);
  __type(value, struct sf_stats);
} stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, struct sf_argkey);
  __type(value, __u8);
} argvals SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SF_ARG_SYSCALLS * 8);
  __type(key, __u32);
  __type(value, __u32);
} argcount SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SF_ARG_SYSCALLS);
  __type(key, __u32);
  __type(value, __u32);
} argmask SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct sf_path);
  __type(value, __u8);
} execs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct sf_path);
} scratch SEC(".maps");

/* counters[0]: process images started; counters[1]: observations dropped (a map was full). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

static __always_inline void bump(__u32 which) {
  __u64 *counter = bpf_map_lookup_elem(&counters, &which);
  if (counter) __sync_fetch_and_add(counter, 1);
}

static __always_inline __u64 new_image(void) {
  __u32 which = 0;
  __u64 *counter = bpf_map_lookup_elem(&counters, &which);
  if (!counter) return 0;
  return __sync_fetch_and_add(counter, 1) + 1;
}

static __always_inline __u32 is_compat(void) {
  struct task_struct *task = bpf_get_current_task_btf();
  if (!bpf_core_field_exists(task->thread_info.status)) return 0;
  return (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT) ? 1 : 0;
}

static __always_inline __u64 arg_of(struct pt_regs *regs, int index) {
  switch (index) {
    case 0: return BPF_CORE_READ(regs, di);
    case 1: return BPF_CORE_READ(regs, si);
    case 2: return BPF_CORE_READ(regs, dx);
    case 3: return BPF_CORE_READ(regs, r10);
    case 4: return BPF_CORE_READ(regs, r8);
    default: return BPF_CORE_READ(regs, r9);
  }
}

static __always_inline void collect_args(struct pt_regs *regs, __u32 nr) {
  if (nr >= SF_ARG_SYSCALLS) return;
  __u32 *mask = bpf_map_lookup_elem(&argmask, &nr);
  if (!mask || *mask == 0) return;
  __u32 bits = *mask;
#pragma unroll
  for (int i = 0; i < 6; i++) {
    if (!(bits & (1u << i))) continue;
    __u64 value = arg_of(regs, i);
    if (bits & (1u << (SF_ARG_WIDTH32_SHIFT + i))) value &= 0xffffffffull;
    struct sf_argkey key = {.nr = nr, .index = i, .value = value};
    if (bpf_map_lookup_elem(&argvals, &key)) continue;
    __u32 slot = nr * 8 + i;
    __u32 *count = bpf_map_lookup_elem(&argcount, &slot);
    if (!count) continue;
    if ((*count & 0xffff) >= SF_MAX_ARG_VALUES) {
      *count |= SF_ARG_OVERFLOW; /* a lost race only loses the flag for one call */
      continue;
    }
    __u8 one = 1;
    if (bpf_map_update_elem(&argvals, &key, &one, BPF_NOEXIST) == 0) {
      __sync_fetch_and_add(count, 1);
    }
  }
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sf_sys_enter, struct pt_regs *regs, long id) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct sf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
  if (!proc) return 0;
  __u64 seq = __sync_fetch_and_add(&proc->calls, 1);
  __u64 now = bpf_ktime_get_ns();
  struct sf_key key = {.image = proc->image, .nr = (__u32)id, .compat = is_compat()};
  struct sf_stats *entry = bpf_map_lookup_elem(&stats, &key);
  if (!entry) {
    struct sf_stats init = {.first_ns = now};
    bpf_map_update_elem(&stats, &key, &init, BPF_NOEXIST);
    entry = bpf_map_lookup_elem(&stats, &key);
    if (!entry) {
      bump(1);
      return 0;
    }
  }
  __sync_fetch_and_add(&entry->count, 1);
  entry->last_ns = now;
  entry->last_seq = seq;
  if (!key.compat) collect_args(regs, (__u32)id);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sf_sys_exit, struct pt_regs *regs, long ret) {
  if (ret >= 0 || ret < -4095) return 0;
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct sf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
  if (!proc) return 0;
  struct sf_key key = {.image = proc->image, .nr = (__u32)BPF_CORE_READ(regs, orig_ax), .compat = is_compat()};
  struct sf_stats *entry = bpf_map_lookup_elem(&stats, &key);
  if (entry) __sync_fetch_and_add(&entry->errors, 1);
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sf_fork, struct task_struct *parent, struct task_struct *child) {
  __u32 parent_tgid = BPF_CORE_READ(parent, tgid);
  if (!bpf_map_lookup_elem(&procs, &parent_tgid)) return 0;
  __u32 child_pid = BPF_CORE_READ(child, pid);
  __u32 child_tgid = BPF_CORE_READ(child, tgid);
  if (child_pid != child_tgid) return 0; /* a thread: counted with its process */
  struct sf_proc proc = {.calls = 0, .image = new_image()};
  if (bpf_map_update_elem(&procs, &child_tgid, &proc, BPF_ANY) != 0) bump(1);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sf_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm) {
  __u32 tgid = BPF_CORE_READ(task, tgid);
  struct sf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
  if (!proc) return 0;
  proc->calls = 0;
  proc->image = new_image();
  __u32 zero = 0;
  struct sf_path *path = bpf_map_lookup_elem(&scratch, &zero);
  if (!path) return 0;
  __builtin_memset(path->path, 0, sizeof(path->path));
  bpf_probe_read_kernel_str(path->path, sizeof(path->path), BPF_CORE_READ(bprm, filename));
  __u8 one = 1;
  bpf_map_update_elem(&execs, path, &one, BPF_ANY);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sf_exit, struct task_struct *task) {
  __u32 pid = BPF_CORE_READ(task, pid);
  __u32 tgid = BPF_CORE_READ(task, tgid);
  if (pid == tgid) bpf_map_delete_elem(&procs, &tgid);
  return 0;
}
