// SPDX-License-Identifier: Apache-2.0
// Counters a recording updates as it goes, for a live progress display in another thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace sysfence::profile {

/// What a recording has seen so far. Written by the recorder, read by anyone (relaxed atomics:
/// each value is exact, the three together a moment's approximation).
struct LiveCounts {
  std::atomic<uint64_t> calls{0};      ///< syscalls recorded
  std::atomic<uint64_t> syscalls{0};   ///< distinct (ABI, syscall) pairs
  std::atomic<uint64_t> processes{0};  ///< distinct processes
};

}  // namespace sysfence::profile
