// SPDX-License-Identifier: Apache-2.0
// The kernel's seccomp action cache (kernel/seccomp.c, 5.11+): when a filter is installed, the
// kernel runs seccomp_is_const_allow for every syscall number of the native (and compat) ABI; if
// the filter returns SECCOMP_RET_ALLOW from nr/arch alone, later calls skip the filter entirely.
// This emulates that analysis so the compiler and linter can report what the kernel will cache.
#pragma once

#include <cstdint>
#include <vector>

#include "bpf/program.h"
#include "core/arch.h"

namespace sysfence::inspect {

/// seccomp_is_const_allow without the kernel's built-in exceptions: walks `program` with only
/// `nr` and `arch` known. Returns true when it reaches `ret` of exactly SECCOMP_RET_ALLOW through
/// only `ld [nr]`, `ld [arch]`, `and #k`, `ja` and conditional jumps against k. Any other
/// instruction on the path (another load, ret a, a jump against x, ...) makes it false, as does
/// ALLOW with non-zero data. `program` must pass the verifier.
bool IsConstantAllow(const bpf::Program& program, uint32_t audit_arch, int32_t nr);

/// The syscalls the kernel lets through without the filter on `arch` whatever the filter says
/// (seccomp_uprobe_exception: uretprobe 335 and uprobe 336 on x86_64 kernels, native ABI only).
bool IsKernelFilterException(Arch arch, int32_t nr);

/// The cache verdict for one syscall number.
struct CacheEntry {
  uint32_t nr = 0;
  bool skipped = false;           ///< the kernel skips this filter for nr (always allowed)
  bool kernel_exception = false;  ///< skipped because of the kernel's uprobe exception, not the filter
};

/// The cache analysis of one ABI.
struct CacheReport {
  Arch arch = Arch::kX86_64;
  /// False for ABIs the kernel never caches: x32 (its numbers are past the bitmap) and ABIs that
  /// are neither native nor compat on a kernel of the host family.
  bool cached_by_kernel = true;
  std::vector<CacheEntry> entries;  ///< one per nr in [0, bitmap size), when cached_by_kernel
  size_t skipped_count = 0;         ///< entries with skipped
};

/// Number of syscall numbers the kernel's bitmap covers for `arch` (NR_syscalls: highest number in
/// sysfence's table + 1); 0 for x32, which the kernel never caches.
uint32_t CacheBitmapSize(Arch arch);

/// Runs the kernel's analysis for every number of `arch`'s bitmap (`bitmap_size` 0: CacheBitmapSize).
CacheReport AnalyzeCache(const bpf::Program& program, Arch arch, uint32_t bitmap_size = 0);

/// The ABIs a kernel of `kernel_arch` keeps a cache for: its native ABI and its compat ABI
/// (x86_64: x86_64 and x86; aarch64: aarch64 and arm; others: native only).
std::vector<Arch> CachedArches(Arch kernel_arch);

}  // namespace sysfence::inspect
