// SPDX-License-Identifier: Apache-2.0
// Types shared by the recording eBPF program (record.bpf.c) and its loader
// (src/record/ebpf_recorder.cc). Plain C with fixed-width fields so both sides agree on layout.
#ifndef SYSFENCE_BPF_RECORD_TYPES_H_
#define SYSFENCE_BPF_RECORD_TYPES_H_

#ifndef __KERNEL__
#ifndef __bpf__
#include <stdint.h>
typedef uint32_t sf_u32;
typedef uint64_t sf_u64;
#endif
#endif
#ifdef __bpf__
typedef unsigned int sf_u32;
typedef unsigned long long sf_u64;
#endif

/// Most distinct values kept per (syscall, argument); must equal record::kMaxArgValues.
#define SF_MAX_ARG_VALUES 16
/// Calls into a process image after which a call no longer counts as start-up; must equal
/// record::kStartupCalls. sf_stats.last_seq saturates here (the kernel stops counting).
#define SF_STARTUP_CALLS 64
/// Syscall numbers below this get argument collection (native ABI only).
#define SF_ARG_SYSCALLS 1024
/// argmask bit for "argument i is 32 bits wide" (bits 0..5 say "collect argument i").
#define SF_ARG_WIDTH32_SHIFT 8
/// argcount flag: more distinct values were seen than kept.
#define SF_ARG_OVERFLOW 0x10000u

/// A traced process (thread group): its calls since its image started (counted up to
/// SF_STARTUP_CALLS, then left alone), and the image id. Image 0 means "followed, not counted
/// until its next execve" (a container runtime's init before the container's program starts);
/// its forks inherit that, and the execve gives it an image.
struct sf_proc {
  sf_u64 calls;
  sf_u64 image;
};

/// Per process image and syscall.
struct sf_key {
  sf_u64 image;
  sf_u32 nr;      /* as the tracepoint sees it (x32 numbers keep the x32 bit) */
  sf_u32 compat;  /* 1: a 32-bit (ia32) syscall */
};

/// Counters for one sf_key.
struct sf_stats {
  sf_u64 count;
  sf_u64 errors;
  sf_u64 first_ns;
  sf_u64 last_ns;
  sf_u64 last_seq; /* position of the last call in its image, saturated at SF_STARTUP_CALLS */
};

/// The hot table (a per-CPU array, direct-mapped): slot (image % SF_HOT_IMAGES) * SF_HOT_NRS + nr
/// holds the counters of one native call of one image, so the hot path needs no hash lookup. A
/// slot taken by another image is moved into the stats hash first. image 0: unused.
#define SF_HOT_IMAGES 16
#define SF_HOT_NRS 512
struct sf_hot {
  sf_u64 image;
  struct sf_stats stats;
};

/// Calls over time, per CPU: slots [0, SF_TIMELINE_SLOTS) count calls per SF_TIMELINE_FINE_NS since
/// sf_timeline_base; slots [SF_TIMELINE_SLOTS, 2 * SF_TIMELINE_SLOTS) per SF_TIMELINE_COARSE_NS,
/// for calls past the fine range (the last coarse slot takes whatever comes later still). Both
/// intervals are a millisecond times a power of two, as profile::Timeline's are.
#define SF_TIMELINE_SLOTS 4096
#define SF_TIMELINE_FINE_NS 4000000ull      /* 4 ms: about one scheduler tick */
#define SF_TIMELINE_COARSE_NS 1024000000ull /* 1.024 s */

/// A process of the traced tree: its parent (0 for a root) and command name (after its last exec).
struct sf_node {
  sf_u32 parent;
  char comm[16];
};

/// One distinct argument value.
struct sf_argkey {
  sf_u32 nr;
  sf_u32 index;
  sf_u64 value;
};

/// The syscalls that give the caller a new file descriptor (data/fd-syscalls.tsv), which the loader
/// writes into the fd_calls array before attaching: entry abi * SF_FD_NRS + nr, for the ABIs below
/// (x32 numbers without the x32 bit). The program keeps the highest descriptor they gave.
#define SF_FD_NRS 1024
#define SF_FD_ABI_NATIVE 0 /* x86_64 */
#define SF_FD_ABI_COMPAT 1 /* i386 (TS_COMPAT) */
#define SF_FD_ABI_X32 2    /* x32 (the number has SF_X32_BIT) */
#define SF_FD_ABIS 3
#define SF_X32_BIT 0x40000000u
/// sf_fd_call.how (syscalls::FdGiven).
#define SF_FD_NONE 0
#define SF_FD_RETURNED 1
#define SF_FD_RETURNED_IF_ARG_IN 2  /* argument `arg` (low 32 bits) is an sf_fd_value of fd_call_values */
#define SF_FD_RETURNED_IF_ARG_HAS 3 /* argument `arg` has a bit of `bits` */
#define SF_FD_THROUGH_POINTER 4     /* on success, an int[2] of descriptors at argument `arg` */
#define SF_FD_VALUES 256            /* room in fd_call_values */
struct sf_fd_call {
  unsigned char how;
  unsigned char arg; /* index in the ABI's own argument order */
  unsigned short pad;
  sf_u32 bits;
};
/// A value of argument `arg` for which fd_calls' entry `slot` gives a descriptor.
struct sf_fd_value {
  sf_u32 slot;
  sf_u32 value;
};

/// An executed path.
struct sf_path {
  char path[256];
};

#endif  // SYSFENCE_BPF_RECORD_TYPES_H_
