// SPDX-License-Identifier: Apache-2.0
// The profile model: what a recording saw, aggregated per syscall and ABI. Every recorder produces
// a Profile; policy generation, the coverage report, the summary, JSON and merge consume it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/arch.h"
#include "profile/timeline.h"

namespace sysfence::profile {

/// How many distinct values of one argument a recording keeps; past that, it only notes overflow.
inline constexpr size_t kMaxArgValues = 16;

/// A syscall counts as "start-up" in a process image (after fork or exec) while that image has made
/// fewer than this many syscalls: the dynamic loader and libc initialisation fit well within it.
inline constexpr uint64_t kStartupCalls = 64;

/// Distinct values seen for one scalar argument, bounded by kMaxArgValues.
struct ArgValues {
  std::set<uint64_t> values;
  bool overflow = false;  ///< more distinct values were seen than kept

  /// Adds `value`, or marks overflow when the set is full.
  void Add(uint64_t value);
  /// Unites `other` into this set (bounded the same way).
  void Merge(const ArgValues& other);
  friend bool operator==(const ArgValues&, const ArgValues&) = default;
};

/// Everything seen for one syscall of one ABI.
struct SyscallRecord {
  Arch arch = Arch::kX86_64;
  std::string name;  ///< table name, or "nr<N>" when the tables do not know the number
  uint32_t number = 0;  ///< as seen by a filter (x32 with the x32 bit)
  uint64_t count = 0;
  uint64_t errors = 0;  ///< calls that returned an error (0 when the backend cannot see results)
  double first_ms = 0;  ///< since the recording started
  double last_ms = 0;
  uint64_t processes = 0;     ///< distinct process images (fork or exec starts a new one) that made it
  bool startup_only = true;   ///< every call came within the first kStartupCalls of its process image
  std::map<int, ArgValues> args;  ///< argument index -> values seen (only the arguments worth it)
  friend bool operator==(const SyscallRecord&, const SyscallRecord&) = default;
};

/// One process of the recorded tree (a pid; an exec keeps the pid and renames it).
struct ProcessNode {
  int pid = 0;
  int parent = 0;    ///< the pid that forked it; 0 for a root (the launched program, an attached pid)
  std::string name;  ///< the executable it ran last (a path), else its command name; "" when unknown
  uint64_t calls = 0;  ///< calls it made (0 when the backend does not count per process)
  friend bool operator==(const ProcessNode&, const ProcessNode&) = default;
};

/// A whole recording.
struct Profile {
  std::string backend;         ///< "ebpf", "unotify", "ptrace", or a '+'-joined list after a merge
  std::string kernel_release;  ///< uname -r of the recording machine (the oldest one after a merge)
  Arch native_arch = Arch::kX86_64;
  std::vector<std::string> command;  ///< what ran (empty when attached with -p)
  int attached_pid = 0;               ///< the pid given with -p, else 0
  double duration_ms = 0;
  uint64_t process_images = 0;  ///< process images seen (forks + execs + the first one)
  int recordings = 1;           ///< how many recordings were merged into this one
  bool errors_known = false;    ///< the backend saw return values
  bool paths_known = false;     ///< the backend recorded opened paths
  /// The highest file descriptor a call that creates one (open, socket, dup, ...) returned, or -1
  /// when none was seen or the backend does not measure it (fds_known). A program needs an
  /// RLIMIT_NOFILE above it (the limit bounds descriptor numbers), and had at least this many + 1
  /// open at once (the kernel hands out the lowest free number).
  int64_t highest_fd = -1;
  bool fds_known = false;  ///< the backend measured highest_fd (eBPF)
  std::vector<SyscallRecord> syscalls;  ///< sorted by (arch, name)
  std::vector<std::string> executables;  ///< executed binaries, sorted and unique
  std::map<std::string, uint32_t> paths;  ///< opened path -> policy::FsAccess bits
  /// Calls per interval since the start; empty for recordings made before timelines existed and
  /// after merging several recordings (their clocks do not line up).
  Timeline timeline;
  /// The processes seen, sorted by pid; empty when unknown (older recordings, merged ones).
  std::vector<ProcessNode> processes;
  friend bool operator==(const Profile&, const Profile&) = default;
};

/// Finds the record of (`arch`, `name`), or nullptr.
const SyscallRecord* FindSyscall(const Profile& profile, Arch arch, std::string_view name);

/// Total number of calls in `profile`.
uint64_t TotalCalls(const Profile& profile);

/// Unites several recordings of the same program: counts add up, value sets unite (bounded), time
/// spans widen, start-up-only holds only where it held in every recording, and the kernel is the
/// oldest one (so syscalls newer than any recording kernel are still answered with ENOSYS).
Profile MergeProfiles(const std::vector<Profile>& profiles);

/// How often each syscall was called, by ABI and number as a filter sees them (names play no part,
/// so numbers the tables cannot name count too): what `compile --weights` weights the search by.
std::map<std::pair<Arch, uint32_t>, uint64_t> CallCounts(const Profile& profile);

/// Syscalls of `profile` that the tables cannot name ("x86_64 nr 512"), so no rule can allow them.
std::vector<std::string> UnnamedSyscalls(const Profile& profile);

/// The one value recorded for argument `arg_name` of `record` (named as on the record's ABI), or
/// nullopt when it was not recorded, took several values or overflowed. Decoding an argument whose
/// constants depend on another (setsockopt's optname on its level) needs that other value.
std::optional<uint64_t> SingleValueOf(const SyscallRecord& record, std::string_view arg_name);

/// Compares two kernel releases ("6.1.0-18-amd64" < "6.18.4"), by their numeric parts.
int CompareKernelReleases(std::string_view a, std::string_view b);

}  // namespace sysfence::profile
