// SPDX-License-Identifier: Apache-2.0
#include "profile/profile_builder.h"

#include <algorithm>

#include "fmt/format.h"
#include "syscalls/arg_meanings.h"
#include "syscalls/syscalls.h"

namespace sysfence::profile {
namespace {

std::string NameFor(Arch arch, uint32_t nr) {
  if (auto name = syscalls::NameOf(arch, nr)) return std::string(*name);
  return fmt::format("nr{}", nr);
}

}  // namespace

ProfileBuilder::ProfileBuilder(Arch native_arch, uint64_t start_ns) : native_arch_(native_arch), start_ns_(start_ns) {}

ProfileBuilder::Entry& ProfileBuilder::EntryFor(Arch arch, uint32_t nr) { return entries_[{arch, nr}]; }

ProfileBuilder::Image& ProfileBuilder::ImageOf(int tgid) {
  auto [it, inserted] = images_.try_emplace(tgid);
  if (inserted) it->second.id = next_image_++;
  return it->second;
}

void ProfileBuilder::PublishLive(uint64_t new_calls) {
  if (live_ == nullptr) return;
  live_->calls.fetch_add(new_calls, std::memory_order_relaxed);
  live_->syscalls.store(entries_.size(), std::memory_order_relaxed);
  live_->processes.store(images_.size(), std::memory_order_relaxed);
}

void ProfileBuilder::OnNewProcess(int tgid, int parent) {
  images_[tgid] = Image{next_image_++, 0};
  ProcessNode& node = processes_[tgid];
  node.pid = tgid;
  if (parent != 0) {
    node.parent = parent;
    if (auto it = processes_.find(parent); it != processes_.end() && node.name.empty()) node.name = it->second.name;
  }
  PublishLive(0);
}

void ProfileBuilder::OnExec(int tgid, const std::string& path) {
  images_[tgid] = Image{next_image_++, 0};
  if (!path.empty()) executables_.insert(path);
  ProcessNode& node = processes_[tgid];
  node.pid = tgid;
  if (!path.empty()) node.name = path;
}

void ProfileBuilder::CountCallOfProcess(int tgid) {
  ProcessNode& node = processes_[tgid];
  node.pid = tgid;
  ++node.calls;
}

void ProfileBuilder::AddTimelineCalls(uint64_t time_ns, uint64_t count) {
  timeline_.Add(time_ns > start_ns_ ? time_ns - start_ns_ : 0, count);
}

void ProfileBuilder::AddProcess(int pid, int parent, const std::string& name) {
  ProcessNode& node = processes_[pid];
  node.pid = pid;
  node.parent = parent;
  if (!name.empty()) node.name = name;
}

void ProfileBuilder::OnSyscall(int tgid, Arch arch, uint32_t nr, const uint64_t args[6], uint64_t time_ns) {
  Image& image = ImageOf(tgid);
  Entry& entry = EntryFor(arch, nr);
  ++entry.count;
  entry.first_ns = std::min(entry.first_ns, time_ns);
  entry.last_ns = std::max(entry.last_ns, time_ns);
  entry.images.insert(image.id);
  if (image.calls >= kStartupCalls) entry.startup_only = false;
  ++image.calls;
  CountCallOfProcess(tgid);
  AddTimelineCalls(time_ns, 1);
  const uint8_t mask = syscalls::RecordedArgMask(arch, NameFor(arch, nr));
  for (int i = 0; i < 6; ++i) {
    if ((mask & (1u << i)) != 0) AddArgValue(arch, nr, i, args[i]);
  }
  PublishLive(1);
}

void ProfileBuilder::OnError(Arch arch, uint32_t nr) { ++EntryFor(arch, nr).errors; }

void ProfileBuilder::OnPath(const std::string& path, uint32_t access) {
  if (!path.empty()) paths_[path] |= access;
}

void ProfileBuilder::AddAggregate(const Aggregate& aggregate) {
  Entry& entry = EntryFor(aggregate.arch, aggregate.nr);
  entry.count += aggregate.count;
  entry.errors += aggregate.errors;
  entry.first_ns = std::min(entry.first_ns, aggregate.first_ns);
  entry.last_ns = std::max(entry.last_ns, aggregate.last_ns);
  entry.images.insert(aggregate.image);
  if (aggregate.last_seq >= kStartupCalls) entry.startup_only = false;
}

void ProfileBuilder::AddArgValue(Arch arch, uint32_t nr, int index, uint64_t value) {
  const int width = syscalls::ArgWidthBits(arch, NameFor(arch, nr), index);
  if (width < 64) value &= (uint64_t{1} << width) - 1;  // what the kernel reads (16 or 32 bits)
  EntryFor(arch, nr).args[index].Add(value);
}

void ProfileBuilder::MarkArgOverflow(Arch arch, uint32_t nr, int index) {
  EntryFor(arch, nr).args[index].overflow = true;
}

Profile ProfileBuilder::Finish(const std::string& backend, uint64_t end_ns) const {
  Profile profile;
  profile.backend = backend;
  profile.native_arch = native_arch_;
  profile.duration_ms = end_ns > start_ns_ ? static_cast<double>(end_ns - start_ns_) / 1e6 : 0;
  profile.process_images = (next_image_ - 1) + extra_images_;
  profile.errors_known = errors_known_;
  profile.paths_known = paths_known_;
  profile.fds_known = fds_known_;
  profile.highest_fd = highest_fd_;
  auto to_ms = [this](uint64_t ns) { return ns > start_ns_ ? static_cast<double>(ns - start_ns_) / 1e6 : 0.0; };
  for (const auto& [key, entry] : entries_) {
    if (entry.count == 0) continue;  // only errors or values without a call: nothing to report
    SyscallRecord record;
    record.arch = key.first;
    record.number = key.second;
    record.name = NameFor(key.first, key.second);
    record.count = entry.count;
    record.errors = entry.errors;
    record.first_ms = to_ms(entry.first_ns);
    record.last_ms = to_ms(entry.last_ns);
    record.processes = entry.images.size();
    record.startup_only = entry.startup_only;
    record.args = entry.args;
    profile.syscalls.push_back(std::move(record));
  }
  std::sort(profile.syscalls.begin(), profile.syscalls.end(), [](const SyscallRecord& a, const SyscallRecord& b) {
    return std::tie(a.arch, a.name) < std::tie(b.arch, b.name);
  });
  profile.executables.assign(executables_.begin(), executables_.end());
  profile.paths = paths_;
  profile.timeline = timeline_;
  for (const auto& [pid, node] : processes_) profile.processes.push_back(node);
  return profile;
}

}  // namespace sysfence::profile
