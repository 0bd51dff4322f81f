// SPDX-License-Identifier: Apache-2.0
// The eBPF recorder: loads bpf/record.bpf.c through its libbpf skeleton, marks the launched child
// (or the -p process) as traced before it execs, waits for the process tree to finish, and turns
// the kernel's counters into a Profile.
#include "record/backends.h"

#ifdef SYSFENCE_HAVE_EBPF

#include <bpf/bpf.h>
#include <fcntl.h>
#include <bpf/libbpf.h>
#include <linux/audit.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bpf/record_types.h"
#include "record.skel.h"
#include "os/exit_status.h"
#include "os/cgroup.h"
#include "os/proc.h"
#include "os/spawn.h"
#include "profile/profile_builder.h"
#include "record/fd_call_table.h"
#include "record/process_tree.h"
#include "record/process_util.h"
#include "syscalls/arg_meanings.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

static_assert(SF_MAX_ARG_VALUES == profile::kMaxArgValues);
static_assert(SF_STARTUP_CALLS == profile::kStartupCalls);
static_assert(sizeof(sf_stats) % 8 == 0 && sizeof(sf_hot) % 8 == 0);  // per-CPU values: 8-byte strides

// libbpf's messages are kept (the last few lines) for error reports instead of being printed.
std::string& LibbpfLog() {
  static std::string log;
  return log;
}

int CollectLibbpfLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[512];
  const int n = std::vsnprintf(line, sizeof(line), format, args);
  std::string& log = LibbpfLog();
  log += line;
  if (log.size() > 2000) log.erase(0, log.size() - 2000);
  return n;
}

struct SkeletonDeleter {
  void operator()(record_bpf* skeleton) const { record_bpf__destroy(skeleton); }
};
using Skeleton = std::unique_ptr<record_bpf, SkeletonDeleter>;

Result<Skeleton> LoadSkeleton() {
  libbpf_set_print(CollectLibbpfLog);
  LibbpfLog().clear();
  Skeleton skeleton(record_bpf__open());
  if (!skeleton) return MakeError(ErrorCode::kUnsupported, "cannot open the eBPF recording program: " + LibbpfLog());
  if (const int err = record_bpf__load(skeleton.get()); err != 0) {
    const ErrorCode code = (err == -EPERM || err == -EACCES) ? ErrorCode::kPermission : ErrorCode::kUnsupported;
    return MakeError(code, std::string("cannot load the eBPF recording program (") + std::strerror(-err) +
                               "): " + LibbpfLog());
  }
  return skeleton;
}

void FillArgMask(record_bpf* skeleton) {
  const Arch arch = NativeArch();
  for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
    const uint8_t mask = syscalls::RecordedArgMask(arch, entry.name);
    if (mask == 0 || entry.number >= SF_ARG_SYSCALLS) continue;
    uint32_t bits = mask;
    for (int i = 0; i < 6; ++i) {
      if ((mask & (1u << i)) && syscalls::ArgWidthBits(arch, entry.name, i) == 32) {
        bits |= 1u << (SF_ARG_WIDTH32_SHIFT + i);
      }
    }
    const uint32_t key = entry.number;
    bpf_map__update_elem(skeleton->maps.argmask, &key, sizeof(key), &bits, sizeof(bits), BPF_ANY);
  }
}

// Writes the descriptor-giving syscalls (data/fd-syscalls.tsv) into fd_calls and fd_call_values.
Result<void> FillFdCalls(record_bpf* skeleton) {
  Result<std::vector<FdCallEntry>> entries = FdCallEntries();
  if (!entries.ok()) return entries.error();
  for (const FdCallEntry& entry : entries.value()) {
    int err = bpf_map__update_elem(skeleton->maps.fd_calls, &entry.slot, sizeof(entry.slot), &entry.call,
                                   sizeof(entry.call), BPF_ANY);
    for (uint32_t value : entry.values) {
      const sf_fd_value key{entry.slot, value};
      const uint8_t one = 1;
      if (err == 0) err = bpf_map__update_elem(skeleton->maps.fd_call_values, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
    }
    if (err != 0) {
      return MakeError(ErrorCode::kOs, "cannot fill the eBPF program's descriptor table (" + std::string(entry.name) +
                                           "): " + std::strerror(-err));
    }
  }
  return Ok();
}

// The processes the program marks as traced that are still running.
std::vector<pid_t> TracedProcesses(record_bpf* skeleton) {
  std::vector<pid_t> running;
  uint32_t key = 0, next = 0;
  const uint32_t* previous = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.procs, previous, &next, sizeof(next)) == 0) {
    if (os::IsRunning(static_cast<pid_t>(next))) running.push_back(static_cast<pid_t>(next));
    key = next;
    previous = &key;
  }
  return running;
}

bool AnyTracedAlive(record_bpf* skeleton) {
  uint32_t key = 0, next = 0;
  const uint32_t* previous = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.procs, previous, &next, sizeof(next)) == 0) {
    if (kill(static_cast<pid_t>(next), 0) == 0 || errno == EPERM) return true;
    key = next;
    previous = &key;
  }
  return false;
}

// Adds one CPU's counters of a key (a CPU that ran no call of it may still have its errors: a call
// can exit on another CPU than it entered on).
void AddCpuStats(profile::ProfileBuilder::Aggregate& aggregate, const sf_stats& stats) {
  aggregate.errors += stats.errors;
  if (stats.count == 0) return;
  aggregate.count += stats.count;
  aggregate.first_ns = std::min(aggregate.first_ns, stats.first_ns);
  aggregate.last_ns = std::max(aggregate.last_ns, stats.last_ns);
  aggregate.last_seq = std::max(aggregate.last_seq, stats.last_seq);
}

// The per-CPU stats hash: one sf_stats per possible CPU for each key; a CPU that never ran a call
// of the key has count 0 (and may still have errors: a call can exit on another CPU).
void CollectStats(record_bpf* skeleton, profile::ProfileBuilder& builder, int cpus) {
  const Arch native = NativeArch();
  const uint32_t native_audit = GetArchInfo(native).audit_arch;
  const std::optional<Arch> compat_arch = native == Arch::kX86_64 ? std::optional<Arch>(Arch::kX86) : std::nullopt;
  std::vector<sf_stats> per_cpu(static_cast<size_t>(cpus));
  sf_key key{}, next{};
  const sf_key* previous = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.stats, previous, &next, sizeof(next)) == 0) {
    if (bpf_map__lookup_elem(skeleton->maps.stats, &next, sizeof(next), per_cpu.data(),
                             per_cpu.size() * sizeof(sf_stats), 0) == 0) {
      std::optional<Arch> arch = next.compat ? compat_arch : ArchOfSyscall(native_audit, next.nr);
      if (arch) {
        profile::ProfileBuilder::Aggregate aggregate;
        aggregate.arch = *arch;
        aggregate.nr = next.nr;
        aggregate.image = next.image;
        aggregate.first_ns = UINT64_MAX;
        for (const sf_stats& stats : per_cpu) AddCpuStats(aggregate, stats);
        if (aggregate.count != 0 || aggregate.errors != 0) builder.AddAggregate(aggregate);
      }
    }
    key = next;
    previous = &key;
  }
}

// The hot table (per-CPU array): each CPU's slot names the image it currently holds. Several
// aggregates for one (image, call) add up in the builder. Read in one batch (one syscall for the
// whole table) where the kernel can, else slot by slot.
void CollectHot(record_bpf* skeleton, profile::ProfileBuilder& builder, int cpus) {
  const uint32_t native_audit = GetArchInfo(NativeArch()).audit_arch;
  constexpr uint32_t kHotSlots = SF_HOT_IMAGES * SF_HOT_NRS;
  std::vector<uint32_t> indexes(kHotSlots);
  std::vector<sf_hot> hot(static_cast<size_t>(kHotSlots) * static_cast<size_t>(cpus));
  uint32_t read = kHotSlots, out_batch = 0;
  LIBBPF_OPTS(bpf_map_batch_opts, batch_opts);
  const int batch_err = bpf_map_lookup_batch(bpf_map__fd(skeleton->maps.hot), nullptr, &out_batch, indexes.data(),
                                             hot.data(), &read, &batch_opts);
  if (batch_err != 0 && !(errno == ENOENT && read == kHotSlots)) {
    read = 0;
    for (uint32_t index = 0; index < kHotSlots; ++index) {
      if (bpf_map__lookup_elem(skeleton->maps.hot, &index, sizeof(index), &hot[static_cast<size_t>(read) * cpus],
                               static_cast<size_t>(cpus) * sizeof(sf_hot), 0) == 0) {
        indexes[read++] = index;
      }
    }
  }
  for (uint32_t i = 0; i < read; ++i) {
    const uint32_t nr = indexes[i] % SF_HOT_NRS;
    std::optional<Arch> arch = ArchOfSyscall(native_audit, nr);
    if (!arch) continue;
    for (int cpu = 0; cpu < cpus; ++cpu) {
      const sf_hot& slot = hot[static_cast<size_t>(i) * cpus + cpu];
      if (slot.image == 0 || (slot.stats.count == 0 && slot.stats.errors == 0)) continue;
      profile::ProfileBuilder::Aggregate aggregate;
      aggregate.arch = *arch;
      aggregate.nr = nr;
      aggregate.image = slot.image;
      aggregate.first_ns = UINT64_MAX;
      AddCpuStats(aggregate, slot.stats);
      builder.AddAggregate(aggregate);
    }
  }
}

// Calls over time (per-CPU slots summed): fine slots, or, when the recording outlasted them, every
// slot at the coarse interval.
void CollectTimeline(record_bpf* skeleton, profile::ProfileBuilder& builder, int cpus, uint64_t base_ns) {
  std::vector<uint64_t> slots(2 * SF_TIMELINE_SLOTS, 0);
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  bool coarse = false;
  for (uint32_t slot = 0; slot < slots.size(); ++slot) {
    if (bpf_map__lookup_elem(skeleton->maps.timeline, &slot, sizeof(slot), per_cpu.data(),
                             per_cpu.size() * sizeof(uint64_t), 0) != 0) {
      continue;
    }
    for (uint64_t calls : per_cpu) slots[slot] += calls;
    if (slot >= SF_TIMELINE_SLOTS && slots[slot] != 0) coarse = true;
  }
  builder.CoarsenTimeline(coarse ? SF_TIMELINE_COARSE_NS : SF_TIMELINE_FINE_NS);
  for (uint32_t slot = 0; slot < slots.size(); ++slot) {
    if (slots[slot] == 0) continue;
    const uint64_t offset = slot < SF_TIMELINE_SLOTS ? slot * SF_TIMELINE_FINE_NS
                                                     : (slot - SF_TIMELINE_SLOTS) * SF_TIMELINE_COARSE_NS;
    builder.AddTimelineCalls(base_ns + offset, slots[slot]);
  }
}

// The process tree: what the program saw fork and exec, and the processes tracked from here
// (roots; with -p their parents among them are known from /proc).
void CollectTree(record_bpf* skeleton, profile::ProfileBuilder& builder, const std::vector<pid_t>& roots) {
  std::set<pid_t> seen;
  uint32_t key = 0, next = 0;
  const uint32_t* previous = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.tree, previous, &next, sizeof(next)) == 0) {
    sf_node node{};
    if (bpf_map__lookup_elem(skeleton->maps.tree, &next, sizeof(next), &node, sizeof(node), 0) == 0) {
      builder.AddProcess(static_cast<int>(next), static_cast<int>(node.parent),
                         std::string(node.comm, strnlen(node.comm, sizeof(node.comm))));
      seen.insert(static_cast<pid_t>(next));
    }
    key = next;
    previous = &key;
  }
  const std::set<pid_t> tracked(roots.begin(), roots.end());
  for (pid_t root : roots) {
    if (seen.count(root) != 0) continue;
    const pid_t parent = os::ParentOf(root);
    builder.AddProcess(root, tracked.count(parent) != 0 ? parent : 0, os::ExecutableOf(root));
  }
}

void Collect(record_bpf* skeleton, profile::ProfileBuilder& builder) {
  const Arch native = NativeArch();
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return;
  CollectStats(skeleton, builder, cpus);
  CollectHot(skeleton, builder, cpus);
  sf_argkey arg{}, next_arg{};
  const sf_argkey* previous_arg = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.argvals, previous_arg, &next_arg, sizeof(next_arg)) == 0) {
    builder.AddArgValue(native, next_arg.nr, static_cast<int>(next_arg.index), next_arg.value);
    arg = next_arg;
    previous_arg = &arg;
  }
  for (uint32_t slot = 0; slot < SF_ARG_SYSCALLS * 8; ++slot) {
    uint32_t count = 0;
    if (bpf_map__lookup_elem(skeleton->maps.argcount, &slot, sizeof(slot), &count, sizeof(count), 0) == 0 &&
        (count & SF_ARG_OVERFLOW) != 0) {
      builder.MarkArgOverflow(native, slot / 8, static_cast<int>(slot % 8));
    }
  }
  sf_path path{}, next_path{};
  const sf_path* previous_path = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.execs, previous_path, &next_path, sizeof(next_path)) == 0) {
    builder.AddExecutable(std::string(next_path.path, strnlen(next_path.path, sizeof(next_path.path))));
    path = next_path;
    previous_path = &path;
  }
  const uint32_t images_key = 0;
  uint64_t images = 0;
  bpf_map__lookup_elem(skeleton->maps.counters, &images_key, sizeof(images_key), &images, sizeof(images), 0);
  builder.AddProcessImages(images);
  const uint32_t fd_key = 3;
  uint64_t highest_fd_plus_one = 0;
  if (bpf_map__lookup_elem(skeleton->maps.counters, &fd_key, sizeof(fd_key), &highest_fd_plus_one,
                           sizeof(highest_fd_plus_one), 0) == 0) {
    builder.NoteFd(static_cast<int64_t>(highest_fd_plus_one) - 1);
  }
}

// Copies the kernel's counters into `live` every 250 ms while it lives (for a progress display):
// the stats and hot tables summed the way Collect reads them, and the traced processes.
class LiveSampler {
 public:
  LiveSampler(record_bpf* skeleton, profile::LiveCounts* live) : skeleton_(skeleton), live_(live) {
    if (live_ != nullptr) thread_ = std::thread([this] { Loop(); });
  }
  ~LiveSampler() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  LiveSampler(const LiveSampler&) = delete;
  LiveSampler& operator=(const LiveSampler&) = delete;

 private:
  void Loop() {
    const int cpus = libbpf_num_possible_cpus();
    while (!stop_.load()) {
      profile::ProfileBuilder scratch(NativeArch(), 0);
      CollectStats(skeleton_, scratch, cpus);
      CollectHot(skeleton_, scratch, cpus);
      const profile::Profile seen = scratch.Finish("ebpf", 0);
      live_->calls.store(profile::TotalCalls(seen), std::memory_order_relaxed);
      live_->syscalls.store(seen.syscalls.size(), std::memory_order_relaxed);
      uint64_t processes = 0;
      uint32_t key = 0, next = 0;
      const uint32_t* previous = nullptr;
      while (bpf_map__get_next_key(skeleton_->maps.procs, previous, &next, sizeof(next)) == 0) {
        ++processes;
        key = next;
        previous = &key;
      }
      live_->processes.store(processes, std::memory_order_relaxed);
      for (int i = 0; i < 5 && !stop_.load(); ++i) {
        timespec pause{0, 50 * 1000 * 1000};
        nanosleep(&pause, nullptr);
      }
    }
  }

  record_bpf* skeleton_;
  profile::LiveCounts* live_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

bool Stopped(const RecordOptions& options) {
  return options.stop_signal != nullptr && options.stop_signal->load() != 0;
}

// Starts the program, marks it traced before it may exec, and waits for it; forwards a stop
// request to the whole traced tree. Processes left behind run on untraced and are reported.
template <typename Track>
Result<int> Launch(const RecordOptions& options, const std::string& program, record_bpf* skeleton, Track& track,
                   RecordResult& result) {
  os::SpawnSpec spec;
  spec.path = program;
  spec.argv = options.command;
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kSignals));
  Result<os::SpawnedChild> spawned = os::Spawn(spec);
  if (!spawned.ok()) return MakeError(spawned.error().code, "cannot start the program: " + spawned.error().message);
  os::SpawnedChild child = std::move(spawned).value();
  // The child waits at the gate until it is marked traced: its execve is the first recorded call.
  if (track(child.pid()) != 0) return MakeError(ErrorCode::kOs, "cannot mark the child as traced");
  child.Release();
  StopForwarder forward(options.stop_signal);
  int status = 0;
  for (;;) {
    forward.Forward([skeleton] { return RefsOf(TracedProcesses(skeleton)); });
    const pid_t done = waitpid(child.pid(), &status, 0);
    if (done == child.pid()) break;
    if (done < 0 && errno != EINTR) return MakeError(ErrorCode::kOs, std::string("waitpid: ") + std::strerror(errno));
  }
  child.Detach();
  result.exit_status = os::ShellExitStatus(status);
  result.orphans = ListOrphans(RefsOf(TracedProcesses(skeleton)), child.pid());
  return result.exit_status;
}

// Processes of the cgroup not followed yet are marked (counted at once: they are running).
template <typename Track>
Result<bool> AddCgroupMembers(const std::string& dir, std::set<pid_t>& known, Track& track) {
  Result<std::vector<pid_t>> members = os::CgroupTreeProcesses(dir);
  if (!members.ok()) return false;  // the cgroup is gone: nothing more can enter it
  for (pid_t pid : members.value()) {
    if (known.insert(pid).second && track(pid, false) != 0) {
      return MakeError(ErrorCode::kOs, "cannot mark process " + std::to_string(pid) + " as traced");
    }
  }
  return !members.value().empty();
}

// Attached: marks the pid's tree (and the cgroup's processes), says so, then waits until the
// tree has exited and the cgroup is empty, or a stop is asked for. The cgroup is polled for
// newcomers (a `runc exec`), which the fork tracepoint cannot see: they are no descendants.
template <typename Track>
Result<void> FollowAttached(const RecordOptions& options, record_bpf* skeleton, Track& track) {
  std::set<pid_t> known;
  for (pid_t process : ProcessTree(options.pid)) {
    known.insert(process);
    if (track(process, options.count_from_exec) != 0) return MakeError(ErrorCode::kOs, "cannot mark the process as traced");
  }
  std::string cgroup;
  if (!options.cgroup.empty()) {
    Result<std::string> dir = os::ResolveCgroupDir(options.cgroup);
    if (!dir.ok()) return dir.error();
    cgroup = dir.value();
    if (auto added = AddCgroupMembers(cgroup, known, track); !added.ok()) return added.error();
  }
  if (options.on_attached) options.on_attached();
  for (;;) {
    bool populated = false;
    if (!cgroup.empty()) {
      Result<bool> added = AddCgroupMembers(cgroup, known, track);
      if (!added.ok()) return added.error();
      populated = added.value();
    }
    if (Stopped(options) || (!populated && !AnyTracedAlive(skeleton))) return Ok();
    timespec pause{0, 20 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace

Result<void> EbpfUsable() {
  if (geteuid() != 0) {
    return MakeError(ErrorCode::kPermission, "the ebpf backend needs root (CAP_BPF and CAP_PERFMON); "
                                             "use --backend unotify (no privileges) or ptrace");
  }
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    return MakeError(ErrorCode::kUnsupported, "the ebpf backend needs kernel BTF (/sys/kernel/btf/vmlinux)");
  }
  return Ok();
}

Result<RecordResult> RecordWithEbpf(const RecordOptions& options, const std::string& program) {
  auto loaded = LoadSkeleton();
  if (!loaded.ok()) return loaded.error();
  Skeleton skeleton = std::move(loaded.value());
  FillArgMask(skeleton.get());
  if (Result<void> filled = FillFdCalls(skeleton.get()); !filled.ok()) return filled.error();
  if (const int err = record_bpf__attach(skeleton.get()); err != 0) {
    return MakeError(ErrorCode::kUnsupported, std::string("cannot attach the eBPF recording program (") +
                                                  std::strerror(-err) + "): " + LibbpfLog());
  }
  const uint64_t start = MonotonicNs();
  skeleton->bss->sf_timeline_base = start;
  profile::ProfileBuilder builder(NativeArch(), start);
  builder.SetErrorsKnown(true);
  RecordResult result;
  std::vector<pid_t> roots;
  std::optional<LiveSampler> sampler;
  sampler.emplace(skeleton.get(), options.live);

  auto track = [&](pid_t pid, bool from_exec) {
    roots.push_back(pid);
    const uint32_t tgid = static_cast<uint32_t>(pid);
    sf_proc proc{0, 0};
    const uint32_t images_key = 0;
    uint64_t images = 0;
    if (!from_exec) {  // image 0: followed, counted from its next execve (record_types.h)
      bpf_map__lookup_elem(skeleton->maps.counters, &images_key, sizeof(images_key), &images, sizeof(images), 0);
      proc.image = ++images;
      bpf_map__update_elem(skeleton->maps.counters, &images_key, sizeof(images_key), &images, sizeof(images), BPF_ANY);
    }
    const int err = bpf_map__update_elem(skeleton->maps.procs, &tgid, sizeof(tgid), &proc, sizeof(proc), BPF_ANY);
    // A new procs generation: the program's per-CPU caches may say this tgid is untraced.
    // (No program changes procs before the first tracked process exists, so this is no race.)
    const uint32_t generation_key = 2;
    uint64_t generation = 0;
    bpf_map__lookup_elem(skeleton->maps.counters, &generation_key, sizeof(generation_key), &generation,
                         sizeof(generation), 0);
    ++generation;
    bpf_map__update_elem(skeleton->maps.counters, &generation_key, sizeof(generation_key), &generation,
                         sizeof(generation), BPF_ANY);
    return err;
  };

  if (options.pid != 0 || !options.cgroup.empty()) {
    Result<void> attached = FollowAttached(options, skeleton.get(), track);
    if (!attached.ok()) return attached.error();
  } else {
    auto track_launched = [&](pid_t pid) { return track(pid, false); };
    Result<int> launched = Launch(options, program, skeleton.get(), track_launched, result);
    if (!launched.ok()) return launched.error();
  }
  sampler.reset();
  record_bpf__detach(skeleton.get());
  Collect(skeleton.get(), builder);
  if (const int cpus = libbpf_num_possible_cpus(); cpus > 0) CollectTimeline(skeleton.get(), builder, cpus, start);
  CollectTree(skeleton.get(), builder, roots);
  result.profile = builder.Finish("ebpf", MonotonicNs());
  return result;
}

Result<std::vector<FdCallEntry>> LoadedFdCalls() {
  auto loaded = LoadSkeleton();
  if (!loaded.ok()) return loaded.error();
  Skeleton skeleton = std::move(loaded.value());
  if (Result<void> filled = FillFdCalls(skeleton.get()); !filled.ok()) return filled.error();
  std::vector<FdCallEntry> read;
  for (uint32_t slot = 0; slot < SF_FD_ABIS * SF_FD_NRS; ++slot) {
    FdCallEntry entry{"", slot, {}, {}};
    if (bpf_map__lookup_elem(skeleton->maps.fd_calls, &slot, sizeof(slot), &entry.call, sizeof(entry.call), 0) != 0) {
      return MakeError(ErrorCode::kOs, "cannot read fd_calls[" + std::to_string(slot) + "]");
    }
    if (entry.call.how != SF_FD_NONE) read.push_back(entry);
  }
  sf_fd_value key{}, next{};
  const sf_fd_value* previous = nullptr;
  while (bpf_map__get_next_key(skeleton->maps.fd_call_values, previous, &next, sizeof(next)) == 0) {
    for (FdCallEntry& entry : read) {
      if (entry.slot == next.slot) entry.values.push_back(next.value);
    }
    key = next;
    previous = &key;
  }
  for (FdCallEntry& entry : read) std::sort(entry.values.begin(), entry.values.end());
  return read;
}

}  // namespace sysfence::record

#else  // !SYSFENCE_HAVE_EBPF

namespace sysfence::record {

Result<void> EbpfUsable() {
  return MakeError(ErrorCode::kUnsupported,
                   "this sysfence was built without the ebpf backend (clang or bpftool was missing at build time)");
}

Result<RecordResult> RecordWithEbpf(const RecordOptions&, const std::string&) { return EbpfUsable().error(); }

Result<std::vector<FdCallEntry>> LoadedFdCalls() { return EbpfUsable().error(); }

}  // namespace sysfence::record

#endif  // SYSFENCE_HAVE_EBPF
