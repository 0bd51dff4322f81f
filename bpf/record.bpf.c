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

/* Per CPU: the hot path updates its own CPU's copy with plain loads and stores, no locked
 * instruction (syscall tracepoint programs run with preemption disabled, so nothing else touches
 * this CPU's copy meanwhile); the loader sums counts and takes min/max of times and positions. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC); /* 65536 per-CPU elements up front cost ~50 ms at load; the
                                         * hot table below takes nearly every call anyway */
  __uint(max_entries, 65536);
  __type(key, struct sf_key);
  __type(value, struct sf_stats);
} stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, SF_HOT_IMAGES * SF_HOT_NRS);
  __type(key, __u32);
  __type(value, struct sf_hot);
} hot SEC(".maps");

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

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2 * SF_TIMELINE_SLOTS);
  __type(key, __u32);
  __type(value, __u64);
} timeline SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32); /* tgid */
  __type(value, struct sf_node);
} tree SEC(".maps");

/* The calls that give a new descriptor, and the argument values for which some do: see
 * struct sf_fd_call (filled by the loader before attaching). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SF_FD_ABIS * SF_FD_NRS);
  __type(key, __u32);
  __type(value, struct sf_fd_call);
} fd_calls SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, SF_FD_VALUES);
  __type(key, struct sf_fd_value);
  __type(value, __u8);
} fd_call_values SEC(".maps");

/* Set by the loader before attaching: the monotonic time timeline slots count from. */
__u64 sf_timeline_base = 0;

/* counters[0]: process images started; counters[1]: observations dropped (a map was full);
 * counters[2]: generation of procs, bumped whenever an entry is added, changed or removed (by
 * this program or by the loader), which invalidates every CPU's proc_cache; counters[3]: the
 * highest file descriptor a traced call returned, plus one (0: none). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

/* Per CPU, the last process whose calls ran here and what procs said of it at a generation: saves
 * the procs hash lookup on the hot path once a process is past start-up (positive entries are
 * cached only then, as the call position no longer needs the shared counter) and for untraced
 * processes (negative entries). */
struct sf_proc_cache {
  __u64 generation;
  __u64 image;
  __u32 tgid;
  __u32 traced;
  __u64 tick;    /* jiffies when tick_ns was read */
  __u64 tick_ns; /* bpf_ktime_get_ns() then */
  __u32 slot;    /* the timeline slot of tick_ns */
  __u32 pad;
};

/* The timeline slot of monotonic time `now` (see SF_TIMELINE_SLOTS). */
static __always_inline __u32 timeline_slot(__u64 now) {
  __u64 since = now > sf_timeline_base ? now - sf_timeline_base : 0;
  __u64 fine = since / SF_TIMELINE_FINE_NS;
  if (fine < SF_TIMELINE_SLOTS) return (__u32)fine;
  __u64 coarse = since / SF_TIMELINE_COARSE_NS;
  return SF_TIMELINE_SLOTS + (coarse < SF_TIMELINE_SLOTS ? (__u32)coarse : SF_TIMELINE_SLOTS - 1);
}

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct sf_proc_cache);
} proc_cache SEC(".maps");

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

/* tp_btf hands over BTF pointers, so fields are read with plain (CO-RE relocated) loads rather than
 * bpf_probe_read_kernel calls. */
static __always_inline __u32 is_compat(void) {
  struct task_struct *task = bpf_get_current_task_btf();
  if (!bpf_core_field_exists(task->thread_info.status)) return 0;
  return (task->thread_info.status & TS_COMPAT) ? 1 : 0;
}

static __always_inline __u64 arg_of(struct pt_regs *regs, int index) {
  switch (index) {
    case 0: return regs->di;
    case 1: return regs->si;
    case 2: return regs->dx;
    case 3: return regs->r10;
    case 4: return regs->r8;
    default: return regs->r9;
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

/* Moves a hot slot's counters (this CPU's) into the stats hash, where user space sums them. */
static __always_inline void spill(struct sf_hot *slot, __u32 nr) {
  struct sf_key key = {.image = slot->image, .nr = nr, .compat = 0};
  struct sf_stats *entry = bpf_map_lookup_elem(&stats, &key);
  if (!entry) {
    if (bpf_map_update_elem(&stats, &key, &slot->stats, BPF_NOEXIST) == 0) return;
    entry = bpf_map_lookup_elem(&stats, &key);
    if (!entry) {
      bump(1);
      return;
    }
  }
  if (slot->stats.count != 0) {
    if (entry->count == 0 || slot->stats.first_ns < entry->first_ns) entry->first_ns = slot->stats.first_ns;
    if (slot->stats.last_ns > entry->last_ns) entry->last_ns = slot->stats.last_ns;
    if (slot->stats.last_seq > entry->last_seq) entry->last_seq = slot->stats.last_seq;
    entry->count += slot->stats.count;
  }
  entry->errors += slot->stats.errors;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sf_sys_enter, struct pt_regs *regs, long id) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  __u32 zero = 0, which = 2;
  struct sf_proc_cache *cache = bpf_map_lookup_elem(&proc_cache, &zero);
  __u64 *generation = bpf_map_lookup_elem(&counters, &which);
  if (!cache || !generation) return 0;
  __u64 gen = *generation; /* read before procs, so a change after this read invalidates what is cached */
  __u64 image, seq;
  if (cache->tgid == tgid && cache->generation == gen) {
    if (!cache->traced) return 0;
    image = cache->image;
    seq = SF_STARTUP_CALLS;
  } else {
    struct sf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
    cache->tgid = tgid;
    cache->generation = gen;
    cache->traced = 0;
    if (!proc || proc->image == 0) return 0; /* untraced, or not counted before its execve */
    /* The position within the image only matters up to SF_STARTUP_CALLS (start-up or not), so
     * the shared per-process counter is bumped, atomically, only until it gets there. */
    image = proc->image;
    seq = proc->calls;
    if (seq < SF_STARTUP_CALLS) {
      seq = __sync_fetch_and_add(&proc->calls, 1);
      cache->tgid = 0; /* not cached yet: keep counting */
    } else {
      cache->image = image;
      cache->traced = 1;
    }
  }
  /* The clock is read once per scheduler tick and CPU (bpf_jiffies64 is a load, the clock read
   * costs as much as the rest of this program): a last time is late by less than a tick. A first
   * time is read exactly (below). */
  __u64 tick = bpf_jiffies64();
  if (tick != cache->tick) {
    cache->tick = tick;
    cache->tick_ns = bpf_ktime_get_ns();
    cache->slot = timeline_slot(cache->tick_ns); /* once per tick: no division per call */
  }
  __u64 now = cache->tick_ns;
  __u32 slot = cache->slot;
  __u64 *calls_then = bpf_map_lookup_elem(&timeline, &slot);
  if (calls_then) (*calls_then)++;
  struct sf_key key = {.image = image, .nr = (__u32)id, .compat = is_compat()};
  if (!key.compat && key.nr < SF_HOT_NRS) {
    __u32 index = ((__u32)image & (SF_HOT_IMAGES - 1)) * SF_HOT_NRS + key.nr;
    struct sf_hot *slot = bpf_map_lookup_elem(&hot, &index);
    if (slot) {
      if (slot->image != image) {
        if (slot->image != 0) spill(slot, key.nr);
        slot->image = image;
        slot->stats.count = 0;
        slot->stats.errors = 0;
        slot->stats.last_seq = 0;
      }
      if (slot->stats.count == 0) now = cache->tick_ns = slot->stats.first_ns = bpf_ktime_get_ns();
      slot->stats.count++;
      slot->stats.last_ns = now;
      slot->stats.last_seq = seq;
      collect_args(regs, key.nr);
      return 0;
    }
  }
  struct sf_stats *entry = bpf_map_lookup_elem(&stats, &key);
  if (!entry) {
    now = cache->tick_ns = bpf_ktime_get_ns();
    struct sf_stats init = {.count = 1, .first_ns = now, .last_ns = now, .last_seq = seq};
    if (bpf_map_update_elem(&stats, &key, &init, BPF_NOEXIST) != 0) {
      /* another CPU created it first: count on this CPU's (zeroed) copy */
      entry = bpf_map_lookup_elem(&stats, &key);
      if (!entry) {
        bump(1);
        return 0;
      }
    }
  }
  if (entry) {
    if (entry->count == 0) now = cache->tick_ns = entry->first_ns = bpf_ktime_get_ns(); /* first here */
    entry->count++;
    entry->last_ns = now;
    entry->last_seq = seq;
  }
  if (!key.compat) collect_args(regs, (__u32)id);
  return 0;
}

/* Argument `index` of a call of `abi` (32-bit ABIs: the low half of the register, as the kernel reads it). */
static __always_inline __u64 abi_arg_of(struct pt_regs *regs, __u32 abi, __u32 index) {
  if (abi == SF_FD_ABI_COMPAT) {
    switch (index) {
      case 0: return regs->bx & 0xffffffffull;
      case 1: return regs->cx & 0xffffffffull;
      case 2: return regs->dx & 0xffffffffull;
      case 3: return regs->si & 0xffffffffull;
      case 4: return regs->di & 0xffffffffull;
      default: return regs->bp & 0xffffffffull;
    }
  }
  __u64 value = arg_of(regs, (int)index);
  return abi == SF_FD_ABI_X32 ? value & 0xffffffffull : value;
}

/* The descriptor a successful call of a traced process gave (its result `ret`), or -1: which calls
 * give one, and how, is what the loader wrote into fd_calls from data/fd-syscalls.tsv. */
static __always_inline long given_fd(struct pt_regs *regs, long ret) {
  __u32 nr = (__u32)regs->orig_ax;
  __u32 abi = is_compat() ? SF_FD_ABI_COMPAT : (nr & SF_X32_BIT) ? SF_FD_ABI_X32 : SF_FD_ABI_NATIVE;
  nr &= ~SF_X32_BIT;
  if (nr >= SF_FD_NRS) return -1;
  __u32 slot = abi * SF_FD_NRS + nr;
  struct sf_fd_call *call = bpf_map_lookup_elem(&fd_calls, &slot);
  if (!call || call->how == SF_FD_NONE) return -1;
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (!bpf_map_lookup_elem(&procs, &tgid)) return -1; /* untraced: no argument test, no user read */
  if (call->how == SF_FD_RETURNED) return ret;
  __u64 arg = abi_arg_of(regs, abi, call->arg);
  if (call->how == SF_FD_RETURNED_IF_ARG_IN) {
    struct sf_fd_value key = {.slot = slot, .value = (__u32)arg};
    return bpf_map_lookup_elem(&fd_call_values, &key) ? ret : -1;
  }
  if (call->how == SF_FD_RETURNED_IF_ARG_HAS) return ((__u32)arg & call->bits) ? ret : -1;
  if (call->how != SF_FD_THROUGH_POINTER || ret != 0) return -1;
  int fds[2] = {-1, -1};
  if (bpf_probe_read_user(fds, sizeof(fds), (const void *)arg) != 0) return -1;
  return fds[0] > fds[1] ? fds[0] : fds[1];
}

/* Keeps the highest descriptor a traced process was given (racy across CPUs by design: a lost
 * update can only lose a value that another CPU raced past at the same time). */
static __always_inline void note_fd(struct pt_regs *regs, long ret) {
  long fd = given_fd(regs, ret);
  if (fd < 0) return;
  __u32 which = 3;
  __u64 *highest = bpf_map_lookup_elem(&counters, &which);
  if (highest && (__u64)fd + 1 > *highest) *highest = (__u64)fd + 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sf_sys_exit, struct pt_regs *regs, long ret) {
  if (ret >= 0) {
    note_fd(regs, ret);
    return 0;
  }
  if ((unsigned long)ret < (unsigned long)-4095) return 0; /* not an error */
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct sf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
  if (!proc || proc->image == 0) return 0;
  struct sf_key key = {.image = proc->image, .nr = (__u32)regs->orig_ax, .compat = is_compat()};
  /* Counted on this CPU (the call may have entered on another): in its hot slot if this image
   * holds it here, else in the hash, created if need be (with no calls on this CPU). */
  if (!key.compat && key.nr < SF_HOT_NRS) {
    __u32 index = ((__u32)key.image & (SF_HOT_IMAGES - 1)) * SF_HOT_NRS + key.nr;
    struct sf_hot *slot = bpf_map_lookup_elem(&hot, &index);
    if (slot && slot->image == key.image) {
      slot->stats.errors++;
      return 0;
    }
  }
  struct sf_stats *entry = bpf_map_lookup_elem(&stats, &key);
  if (!entry) {
    struct sf_stats init = {.errors = 1};
    if (bpf_map_update_elem(&stats, &key, &init, BPF_NOEXIST) == 0) return 0;
    entry = bpf_map_lookup_elem(&stats, &key);
    if (!entry) {
      bump(1);
      return 0;
    }
  }
  entry->errors++;
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sf_fork, struct task_struct *parent, struct task_struct *child) {
  __u32 parent_tgid = BPF_CORE_READ(parent, tgid);
  struct sf_proc *parent_proc = bpf_map_lookup_elem(&procs, &parent_tgid);
  if (!parent_proc) return 0;
  __u32 child_pid = BPF_CORE_READ(child, pid);
  __u32 child_tgid = BPF_CORE_READ(child, tgid);
  if (child_pid != child_tgid) return 0; /* a thread: counted with its process */
  /* A fork of a process not counted before its execve is not counted before its own either. */
  struct sf_proc proc = {.calls = 0, .image = parent_proc->image == 0 ? 0 : new_image()};
  if (bpf_map_update_elem(&procs, &child_tgid, &proc, BPF_ANY) != 0) bump(1);
  struct sf_node node = {.parent = parent_tgid};
  BPF_CORE_READ_STR_INTO(&node.comm, child, comm);
  if (bpf_map_update_elem(&tree, &child_tgid, &node, BPF_ANY) != 0) bump(1);
  bump(2);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sf_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm) {
  __u32 tgid = BPF_CORE_READ(task, tgid);
  struct sf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
  if (!proc) return 0;
  proc->calls = 0;
  proc->image = new_image();
  bump(2);
  struct sf_node *node = bpf_map_lookup_elem(&tree, &tgid);
  if (node) {
    BPF_CORE_READ_STR_INTO(&node->comm, task, comm);
  } else {
    struct sf_node root = {.parent = 0};
    BPF_CORE_READ_STR_INTO(&root.comm, task, comm);
    bpf_map_update_elem(&tree, &tgid, &root, BPF_ANY);
  }
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
  if (pid == tgid && bpf_map_delete_elem(&procs, &tgid) == 0) bump(2);
  return 0;
}
