// SPDX-License-Identifier: Apache-2.0
// Calls over time: how many calls a recording saw in each interval since it started, at a
// resolution that coarsens as the recording grows (so a long recording stays a few kilobytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sysfence::profile {

/// Most intervals a timeline keeps; past that, neighbouring intervals merge and the interval doubles.
inline constexpr size_t kMaxTimelineIntervals = 512;

/// The finest interval a timeline starts with (1 ms).
inline constexpr uint64_t kFirstTimelineIntervalNs = 1'000'000;

/// Per-interval call counts: calls[i] counts calls made in [i, i+1) * interval_ns after the start.
/// An empty timeline means the recording kept none (recordings written before timelines existed).
struct Timeline {
  uint64_t interval_ns = kFirstTimelineIntervalNs;
  std::vector<uint64_t> calls;

  /// Adds `count` calls made `offset_ns` after the start, doubling the interval (merging pairs)
  /// while the offset falls past kMaxTimelineIntervals intervals.
  void Add(uint64_t offset_ns, uint64_t count = 1);
  /// Doubles the interval (merging pairs) until it is at least `min_interval_ns`: what a source
  /// that counts in coarser intervals (the eBPF recorder's) sets first, so its counts do not
  /// show as spikes with empty intervals between them.
  void Coarsen(uint64_t min_interval_ns);
  /// The sum of every interval.
  uint64_t Total() const;
  friend bool operator==(const Timeline&, const Timeline&) = default;
};

}  // namespace sysfence::profile
