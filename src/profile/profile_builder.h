// SPDX-License-Identifier: Apache-2.0
// ProfileBuilder: turns a stream of observations (one syscall at a time, as ptrace and unotify see
// them, or pre-aggregated counters, as the eBPF program keeps them) into a Profile.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "core/arch.h"
#include "profile/live_counts.h"
#include "profile/profile.h"

namespace sysfence::profile {

/// Collects observations; Finish() returns the Profile. Not thread-safe.
class ProfileBuilder {
 public:
  /// `start_ns` is the monotonic time (CLOCK_MONOTONIC, ns) the recording started at.
  ProfileBuilder(Arch native_arch, uint64_t start_ns);

  /// Process `tgid` starts a new image (a fork, or the first sighting of an attached process);
  /// `parent` is the process that forked it (0: a root of the recorded tree, or unknown).
  void OnNewProcess(int tgid, int parent = 0);
  /// Process `tgid` executed `path` (a new image).
  void OnExec(int tgid, const std::string& path);
  /// Process `tgid` made syscall `nr` of `arch` with `args` at monotonic time `time_ns`.
  void OnSyscall(int tgid, Arch arch, uint32_t nr, const uint64_t args[6], uint64_t time_ns);
  /// A syscall of (`arch`, `nr`) returned an error.
  void OnError(Arch arch, uint32_t nr);
  /// A path was opened (or executed, created, removed) with policy::FsAccess bits `access`.
  void OnPath(const std::string& path, uint32_t access);

  /// Pre-aggregated counters for one syscall in one process image (the eBPF backend).
  struct Aggregate {
    Arch arch = Arch::kX86_64;
    uint32_t nr = 0;
    uint64_t image = 0;  ///< any id unique per process image
    uint64_t count = 0;
    uint64_t errors = 0;
    uint64_t first_ns = 0;
    uint64_t last_ns = 0;
    uint64_t last_seq = 0;  ///< index of the last call within its process image
  };
  /// Adds aggregated counters (see Aggregate).
  void AddAggregate(const Aggregate& aggregate);
  /// Adds a value seen for argument `index` of (`arch`, `nr`) (narrowed to the argument's width).
  void AddArgValue(Arch arch, uint32_t nr, int index, uint64_t value);
  /// Marks argument `index` of (`arch`, `nr`) as having had more values than were kept.
  void MarkArgOverflow(Arch arch, uint32_t nr, int index);
  /// Records that the backend sees return values / opened paths.
  void SetErrorsKnown(bool known) { errors_known_ = known; }
  void SetPathsKnown(bool known) { paths_known_ = known; }
  /// A call that creates file descriptors returned `fd` (the eBPF backend); marks fds as measured.
  void NoteFd(int64_t fd) {
    fds_known_ = true;
    highest_fd_ = std::max(highest_fd_, fd);
  }
  /// Adds an executed binary seen without a process to attach it to (the eBPF backend).
  void AddExecutable(const std::string& path) { if (!path.empty()) executables_.insert(path); }
  /// Adds `count` process images seen outside OnNewProcess/OnExec (the eBPF backend).
  void AddProcessImages(uint64_t count) { extra_images_ += count; }
  /// Adds `count` calls made at monotonic time `time_ns` to the timeline only (the eBPF backend,
  /// whose per-interval counters are kept apart from the per-syscall ones).
  void AddTimelineCalls(uint64_t time_ns, uint64_t count);
  /// Makes the timeline's interval at least `min_interval_ns` (see Timeline::Coarsen).
  void CoarsenTimeline(uint64_t min_interval_ns) { timeline_.Coarsen(min_interval_ns); }
  /// Notes a process of the tree seen outside OnNewProcess (the eBPF backend): its parent (0 when a
  /// root) and name.
  void AddProcess(int pid, int parent, const std::string& name);

  /// Keeps `live` (may be null) up to date with every OnSyscall and OnNewProcess, for a progress
  /// display; `live` must outlive the builder.
  void SetLiveCounts(LiveCounts* live) { live_ = live; }

  /// The profile; `end_ns` is the monotonic time the recording ended at.
  Profile Finish(const std::string& backend, uint64_t end_ns) const;

 private:
  struct Entry {
    uint64_t count = 0;
    uint64_t errors = 0;
    uint64_t first_ns = UINT64_MAX;
    uint64_t last_ns = 0;
    std::set<uint64_t> images;
    bool startup_only = true;
    std::map<int, ArgValues> args;
  };
  struct Image {
    uint64_t id = 0;
    uint64_t calls = 0;
  };
  void CountCallOfProcess(int tgid);
  Entry& EntryFor(Arch arch, uint32_t nr);
  void PublishLive(uint64_t new_calls);
  Image& ImageOf(int tgid);

  Arch native_arch_;
  uint64_t start_ns_;
  uint64_t next_image_ = 1;
  uint64_t extra_images_ = 0;
  bool errors_known_ = false;
  bool paths_known_ = false;
  bool fds_known_ = false;
  int64_t highest_fd_ = -1;
  std::map<std::pair<Arch, uint32_t>, Entry> entries_;
  std::map<int, Image> images_;
  std::set<std::string> executables_;
  std::map<std::string, uint32_t> paths_;
  Timeline timeline_;
  std::map<int, ProcessNode> processes_;
  LiveCounts* live_ = nullptr;
};

}  // namespace sysfence::profile
