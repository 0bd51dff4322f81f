// SPDX-License-Identifier: Apache-2.0
#include "run/target_info.h"

namespace sysfence::run {

const TaskInfo& TaskInfoCache::Get(int tid, int64_t now_ns) {
  if (tid <= 0) return unknown_;
  auto [it, inserted] = entries_.try_emplace(tid);
  if (inserted || now_ns - it->second.read_at_ns > kMaxAgeNs) {
    it->second.info = ReadTaskInfo(tid);
    it->second.read_at_ns = now_ns;
  }
  // Threads come and go; keep the cache from growing without bound.
  if (entries_.size() > 4096) {
    TaskInfo keep = it->second.info;
    entries_.clear();
    auto& fresh = entries_[tid];
    fresh.info = std::move(keep);
    fresh.read_at_ns = now_ns;
    return fresh.info;
  }
  return it->second.info;
}

}  // namespace sysfence::run
