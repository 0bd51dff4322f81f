// SPDX-License-Identifier: Apache-2.0
// The ptrace recorder. Launching: the child installs a one-instruction RET_TRACE filter, so every
// syscall stops once at PTRACE_EVENT_SECCOMP; the tracer resumes with PTRACE_SYSCALL to see the
// result at syscall-exit. Attaching (-p): every thread is seized and runs under PTRACE_SYSCALL.
// A launched recording ends when the launched program exits; processes it left behind are killed
// and reported (without the tracer their every call would fail with ENOSYS).
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "bpf/program.h"
#include "core/action.h"
#include "os/exit_status.h"
#include "os/proc.h"
#include "os/spawn.h"
#include "record/backends.h"
#include "record/process_tree.h"
#include "record/process_util.h"
#include "profile/profile_builder.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

constexpr int kTraceOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                              PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

struct Tracee {
  pid_t tgid = 0;
  bool pending_exit = false;  // resumed to see this syscall's result
  Arch arch = Arch::kX86_64;
  uint32_t nr = 0;
  bool seen = false;          // had its first stop
};

class PtraceSession {
 public:
  PtraceSession(const RecordOptions& options, bool attached, uint64_t start_ns)
      : options_(options), attached_(attached), builder_(NativeArch(), start_ns) {
    builder_.SetLiveCounts(options.live);
    builder_.SetErrorsKnown(true);
    builder_.SetPathsKnown(options.paths);
  }

  // Resumes `tid` the way its state asks for, delivering `signal`.
  void Resume(pid_t tid, const Tracee& tracee, int signal) {
    const auto request = (attached_ || tracee.pending_exit) ? PTRACE_SYSCALL : PTRACE_CONT;
    ptrace(request, tid, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(signal)));
  }

  Tracee& Get(pid_t tid) {
    auto [it, inserted] = tracees_.try_emplace(tid);
    if (inserted) it->second.tgid = os::ThreadGroupOf(tid);
    return it->second;
  }

  void RecordEntry(pid_t tid, Tracee& tracee, uint32_t audit_arch, uint64_t nr, const uint64_t* args) {
    auto arch = ArchOfSyscall(audit_arch, static_cast<uint32_t>(nr));
    if (!arch) return;
    tracee.arch = *arch;
    tracee.nr = static_cast<uint32_t>(nr);
    if (!armed_) return;
    builder_.OnSyscall(tracee.tgid, *arch, static_cast<uint32_t>(nr), args, MonotonicNs());
    if (options_.paths) {
      if (auto name = syscalls::NameOf(*arch, static_cast<uint32_t>(nr))) CapturePathAccess(builder_, tid, *name, args);
    }
  }

  // A PTRACE_SYSCALL stop: the entry or the exit (with its error) of a call.
  void HandleSyscallStop(pid_t tid, Tracee& tracee) {
    __ptrace_syscall_info info{};
    if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0) {
      if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        RecordEntry(tid, tracee, info.arch, info.entry.nr, info.entry.args);
        tracee.pending_exit = true;
      } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
        if (tracee.pending_exit && armed_ && info.exit.is_error) builder_.OnError(tracee.arch, tracee.nr);
        tracee.pending_exit = false;
      }
    }
    tracee.seen = true;
    Resume(tid, tracee, 0);
  }

  // A RET_TRACE stop (launched programs): the entry of a call.
  void HandleSeccompStop(pid_t tid, Tracee& tracee) {
    __ptrace_syscall_info info{};
    if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0 && info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
      if (!armed_ && tid == root_) {
        // The first syscall the launched child makes under the filter is its execve.
        armed_ = true;
      }
      RecordEntry(tid, tracee, info.arch, info.seccomp.nr, info.seccomp.args);
      tracee.pending_exit = true;
    }
    tracee.seen = true;
    Resume(tid, tracee, 0);
  }

  // Handles one wait status; returns false when `tid` is gone.
  void Handle(pid_t tid, int status) {
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == root_) {
        root_status_ = status;
        root_exited_ = true;
      }
      tracees_.erase(tid);
      return;
    }
    if (!WIFSTOPPED(status)) return;
    Tracee& tracee = Get(tid);
    const int signal = WSTOPSIG(status);
    const int event = status >> 16;
    if (stopping_) {
      Detach(tid, (signal == SIGTRAP || signal == (SIGTRAP | 0x80) || event != 0 || signal == SIGSTOP) ? 0 : signal);
      return;
    }
    if (signal == (SIGTRAP | 0x80)) {
      HandleSyscallStop(tid, tracee);
      return;
    }
    if (signal == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
      HandleSeccompStop(tid, tracee);
      return;
    }
    if (signal == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE)) {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
      if (event != PTRACE_EVENT_CLONE || os::ThreadGroupOf(static_cast<pid_t>(child)) == static_cast<pid_t>(child)) {
        builder_.OnNewProcess(static_cast<pid_t>(child), tracee.tgid);
      }
      tracee.seen = true;
      Resume(tid, tracee, 0);
      return;
    }
    if (signal == SIGTRAP && event == PTRACE_EVENT_EXEC) {
      // A non-leader thread that execs takes over the leader's id; the old thread is gone.
      unsigned long former = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
      if (static_cast<pid_t>(former) != tid) tracees_.erase(static_cast<pid_t>(former));
      Tracee& self = Get(tid);
      self.tgid = tid;
      builder_.OnExec(tid, os::ExecutableOf(tid));
      self.seen = true;
      Resume(tid, self, 0);
      return;
    }
    if (event == PTRACE_EVENT_STOP) {
      // Seized tracees: an interrupt, or a group-stop that must stay stopped (PTRACE_LISTEN).
      tracee.seen = true;
      if (signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU) {
        ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
      } else {
        Resume(tid, tracee, 0);
      }
      return;
    }
    if (!tracee.seen && signal == SIGSTOP) {
      // A new auto-attached child's first stop.
      tracee.seen = true;
      Resume(tid, tracee, 0);
      return;
    }
    tracee.seen = true;
    Resume(tid, tracee, signal);  // an ordinary signal: deliver it
  }

  void Detach(pid_t tid, int signal) {
    ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(signal)));
    tracees_.erase(tid);
  }

  // Asks every tracee to stop so it can be detached (attach mode).
  void BeginStop() {
    stopping_ = true;
    for (const auto& [tid, tracee] : tracees_) ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  }

  // The processes being traced (the recorded tree); a traced pid cannot be reused meanwhile.
  std::vector<os::ProcessRef> Processes() const {
    std::set<pid_t> tgids;
    for (const auto& [tid, tracee] : tracees_) tgids.insert(tracee.tgid);
    return RefsOf({tgids.begin(), tgids.end()});
  }

  // Launched: ends when the launched program exits. Attached: when every tracee is gone or detached.
  Result<void> Loop() {
    StopForwarder forward(options_.stop_signal);
    while (!tracees_.empty() && !(root_exited_ && !attached_)) {
      if (options_.stop_signal != nullptr && options_.stop_signal->load() != 0) {
        if (attached_ && !stopping_) {
          BeginStop();
        } else if (!attached_) {
          forward.Forward([this] { return Processes(); });
        }
      }
      int status = 0;
      const pid_t tid = waitpid(-1, &status, __WALL);
      if (tid < 0) {
        if (errno == EINTR) continue;
        if (errno == ECHILD && attached_) {
          // Attached tracees are not our children until seized; ECHILD means none is left.
          break;
        }
        if (errno == ECHILD) break;
        return MakeError(ErrorCode::kOs, std::string("waitpid: ") + std::strerror(errno));
      }
      Handle(tid, status);
    }
    return Ok();
  }

  const RecordOptions& options_;
  bool attached_;
  bool armed_ = false;
  bool stopping_ = false;
  bool root_exited_ = false;
  pid_t root_ = 0;
  int root_status_ = 0;
  profile::ProfileBuilder builder_;
  std::map<pid_t, Tracee> tracees_;
};

Result<RecordResult> Attach(const RecordOptions& options) {
  const uint64_t start = MonotonicNs();
  PtraceSession session(options, /*attached=*/true, start);
  session.armed_ = true;
  session.root_ = options.pid;
  // Seize every thread of every process of the tree; repeat until no new thread appears (threads
  // may start meanwhile, and threads and children started by seized ones are attached automatically).
  std::set<pid_t> seized;
  for (int round = 0; round < 100; ++round) {
    bool added = false;
    for (pid_t tid : ThreadsOfTree(options.pid)) {
      if (seized.count(tid) != 0) continue;
      if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(kTraceOptions))) != 0) {
        if (errno == ESRCH) continue;  // exited meanwhile
        // A child a seized thread forked meanwhile is already ours (PTRACE_O_TRACEFORK): its
        // first stop adds it. One that is exiting cannot be traced any more. Both say EPERM.
        if (errno == EPERM && SeizedByUsOrEnded(tid)) {
          seized.insert(tid);
          continue;
        }
        const int err = errno;
        for (pid_t done : seized) ptrace(PTRACE_DETACH, done, nullptr, nullptr);
        return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                         "cannot attach to thread " + std::to_string(tid) + " of pid " + std::to_string(options.pid) +
                             " with ptrace: " + std::strerror(err) +
                             (err == EPERM ? " (need the same user and ptrace permission, or root)" : ""));
      }
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
      seized.insert(tid);
      session.Get(tid);
      added = true;
    }
    if (!added) break;
  }
  if (seized.empty()) return MakeError(ErrorCode::kNotFound, "pid " + std::to_string(options.pid) + " has no threads left");
  auto looped = session.Loop();
  if (!looped.ok()) return looped.error();
  RecordResult result;
  result.profile = session.builder_.Finish("ptrace", MonotonicNs());
  result.exit_status = 0;
  return result;
}

// The child's steps: sysfence's signal changes undone, pinned when asked, traced (the parent sets
// its options at the stop), then the trace-everything filter.
os::SpawnSpec PtraceSpec(const RecordOptions& options, const std::string& program, int cpu) {
  os::SpawnSpec spec;
  spec.path = program;
  spec.argv = options.command;
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kSignals));
  if (cpu >= 0) spec.steps.push_back(os::SpawnStep::Affinity(cpu));
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kTraceMe));
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kNoNewPrivs));
  const bpf::Program trace_all = {bpf::Instruction{static_cast<uint16_t>(bpf::op::kRet | bpf::op::kK), 0, 0,
                                                   seccomp_ret::kTrace}};
  spec.steps.push_back(os::SpawnStep::Seccomp(trace_all, /*new_listener=*/false));
  spec.on_trace_stop = [](pid_t pid) -> Result<void> {
    const long trace_options = kTraceOptions | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(trace_options)) != 0) {
      return MakeError(ErrorCode::kOs, std::string("PTRACE_SETOPTIONS: ") + std::strerror(errno));
    }
    return Ok();
  };
  return spec;
}

// Kills and reaps the tracees left when the launched program exited; returns who they were.
std::vector<Orphan> EndTracedOrphans(PtraceSession& session) {
  std::vector<Orphan> orphans = EndOrphans(session.Processes(), session.root_);
  while (!session.tracees_.empty()) {
    int status = 0;
    const pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0 && errno == EINTR) continue;
    if (tid < 0) break;
    if (WIFEXITED(status) || WIFSIGNALED(status)) session.tracees_.erase(tid);
  }
  return orphans;
}

Result<RecordResult> Launch(const RecordOptions& options, const std::string& program) {
  const int cpu = options.pin_cpu ? PinToCurrentCpu() : -1;
  const uint64_t start = MonotonicNs();
  Result<os::SpawnedChild> spawned = os::Spawn(PtraceSpec(options, program, cpu));
  if (!spawned.ok()) {
    return MakeError(spawned.error().code, "the launched child could not be prepared: " + spawned.error().message);
  }
  os::SpawnedChild child = std::move(spawned).value();
  PtraceSession session(options, /*attached=*/false, start);
  session.root_ = child.pid();
  Tracee& root = session.Get(child.pid());
  root.seen = true;
  child.Release();
  child.Detach();  // the session waits for it (and every other tracee)
  auto looped = session.Loop();
  if (!looped.ok()) return looped.error();
  RecordResult result;
  result.profile = session.builder_.Finish("ptrace", MonotonicNs());
  result.exit_status = os::ShellExitStatus(session.root_status_);
  result.orphans = EndTracedOrphans(session);
  if (!session.armed_) {
    return MakeError(ErrorCode::kOs, "the program never started: installing the tracing filter or exec failed (status " +
                                         std::to_string(result.exit_status) + ")");
  }
  return result;
}

}  // namespace

Result<RecordResult> RecordWithPtrace(const RecordOptions& options, const std::string& program) {
  if (options.pid != 0) return Attach(options);
  return Launch(options, program);
}

}  // namespace sysfence::record
