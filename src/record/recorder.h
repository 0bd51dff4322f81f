// SPDX-License-Identifier: Apache-2.0
// Recording: run a command (or attach to a running process) under one of three backends and
// return what it asked of the kernel as a Profile.
//   ebpf     root; a CO-RE program on the syscall tracepoints counts in the kernel (near native speed)
//   unotify  no privileges; every syscall notifies this process, which records it and lets it continue
//   ptrace   attaches to running processes (-p), and the fallback; one stop per syscall via seccomp
//            RET_TRACE when launching, PTRACE_SYSCALL when attached
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "profile/live_counts.h"
#include "profile/profile.h"

namespace sysfence::record {

/// Which recorder to use.
enum class Backend { kAuto, kEbpf, kUnotify, kPtrace };

/// "auto", "ebpf", "unotify", "ptrace".
std::string_view BackendName(Backend backend);

/// Parses a backend name.
std::optional<Backend> BackendFromName(std::string_view name);

/// What to record and how.
struct RecordOptions {
  Backend backend = Backend::kAuto;
  std::vector<std::string> command;  ///< program and arguments (PATH is searched); empty with pid
  int pid = 0;                       ///< attach to this running process (all threads, then children)
  bool paths = false;                ///< record opened and executed paths (for fs rules)
  bool pin_cpu = false;              ///< ptrace/unotify: keep recorder and program on one CPU
  /// ebpf: follow a cgroup folder (os::ResolveCgroupDir): every process in it and below it, and
  /// each process that enters it later (polled every 20 ms), until it holds none and nothing
  /// traced runs. With `pid` too, both are followed.
  std::string cgroup;
  /// ebpf with `pid`: the pid's tree is followed at once but counted only from each process's next
  /// execve (a container runtime's init waiting to exec the container's program: what it does
  /// before is the runtime's set-up, not the container's work).
  bool count_from_exec = false;
  /// Called once, when the recording is under way (every starting process marked as followed).
  std::function<void()> on_attached;
  /// Set to a signal number (by the caller's signal handler) to stop: an attached recording
  /// detaches and finishes; a launched program and every process of its tree get the signal
  /// forwarded once.
  const std::atomic<int>* stop_signal = nullptr;
  /// Kept up to date while recording (calls, distinct syscalls, processes), for a progress display;
  /// null for none. The ebpf backend samples its kernel counters into it every 250 ms.
  profile::LiveCounts* live = nullptr;
};

/// A process the launched program left running when it exited (not recorded further).
struct Orphan {
  int pid = 0;
  std::string command;  ///< its command name (/proc/PID/comm)
};

/// The outcome of a recording.
struct RecordResult {
  profile::Profile profile;
  Backend backend = Backend::kAuto;  ///< the backend that ran (never kAuto)
  int exit_status = 0;  ///< the program's exit status (128+signal when killed); 0 when attached
  std::vector<std::string> notes;  ///< what the caller should tell the user (e.g. why auto chose)
  /// Launched: processes still running when the program exited. The recording ended there;
  /// ebpf leaves them running, unotify and ptrace end them (SIGKILL), since without the recorder
  /// their every call would fail with ENOSYS.
  std::vector<Orphan> orphans;
};

/// Checks, before anything starts, that `options` can work here: the program exists, the pid
/// exists and may be traced, the backend is built in, permitted and supported by this kernel.
/// Errors: kNotFound (program, pid), kPermission, kUnsupported, kInvalidInput.
Result<void> CheckRecordOptions(const RecordOptions& options);

/// Chooses the backend for kAuto (the fastest that works here: ebpf, then unotify for launched
/// programs, then ptrace); other values are returned as they are. `why` says why.
Backend ChooseBackend(const RecordOptions& options, std::string* why);

/// Records. Runs CheckRecordOptions first, so a bad request starts nothing.
Result<RecordResult> Record(const RecordOptions& options);

}  // namespace sysfence::record
