// SPDX-License-Identifier: Apache-2.0
#include "profile/timeline.h"

#include <numeric>

namespace sysfence::profile {

void Timeline::Add(uint64_t offset_ns, uint64_t count) {
  if (interval_ns == 0) interval_ns = kFirstTimelineIntervalNs;
  while (offset_ns / interval_ns >= kMaxTimelineIntervals) {
    std::vector<uint64_t> merged((calls.size() + 1) / 2, 0);
    for (size_t i = 0; i < calls.size(); ++i) merged[i / 2] += calls[i];
    calls = std::move(merged);
    interval_ns *= 2;
  }
  const size_t index = offset_ns / interval_ns;
  if (calls.size() <= index) calls.resize(index + 1, 0);
  calls[index] += count;
}

uint64_t Timeline::Total() const { return std::accumulate(calls.begin(), calls.end(), uint64_t{0}); }

}  // namespace sysfence::profile
