// SPDX-License-Identifier: Apache-2.0
#include "profile/timeline.h"

#include <numeric>

namespace sysfence::profile {

namespace {

void Double(Timeline& timeline) {
  std::vector<uint64_t> merged((timeline.calls.size() + 1) / 2, 0);
  for (size_t i = 0; i < timeline.calls.size(); ++i) merged[i / 2] += timeline.calls[i];
  timeline.calls = std::move(merged);
  timeline.interval_ns *= 2;
}

}  // namespace

void Timeline::Coarsen(uint64_t min_interval_ns) {
  if (interval_ns == 0) interval_ns = kFirstTimelineIntervalNs;
  while (interval_ns < min_interval_ns) Double(*this);
}

void Timeline::Add(uint64_t offset_ns, uint64_t count) {
  if (interval_ns == 0) interval_ns = kFirstTimelineIntervalNs;
  while (offset_ns / interval_ns >= kMaxTimelineIntervals) Double(*this);
  const size_t index = offset_ns / interval_ns;
  if (calls.size() <= index) calls.resize(index + 1, 0);
  calls[index] += count;
}

uint64_t Timeline::Total() const { return std::accumulate(calls.begin(), calls.end(), uint64_t{0}); }

}  // namespace sysfence::profile
