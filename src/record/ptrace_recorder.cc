// SPDX-License-Identifier: Apache-2.0
// The ptrace recorder. Launching: the child installs a one-instruction RET_TRACE filter, so every
// syscall stops once at PTRACE_EVENT_SECCOMP; the tracer resumes with PTRACE_SYSCALL to see the
// result at syscall-exit. Attaching (-p): every thread is seized and runs under PTRACE_SYSCALL.
#include <dirent.h>
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
#include "os/seccomp_install.h"
#include "record/backends.h"
#include "os/exit_status.h"
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
    if (inserted) it->second.tgid = ThreadGroupOf(tid);
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

  // Handles one wait status; returns false when `tid` is gone.
  void Handle(pid_t tid, int status) {
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == root_) root_status_ = status;
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
    __ptrace_syscall_info info{};
    if (signal == (SIGTRAP | 0x80)) {
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
      return;
    }
    if (signal == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
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
      return;
    }
    if (signal == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE)) {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
      if (event != PTRACE_EVENT_CLONE || ThreadGroupOf(static_cast<pid_t>(child)) == static_cast<pid_t>(child)) {
        builder_.OnNewProcess(static_cast<pid_t>(child));
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
      builder_.OnExec(tid, ReadLink("/proc/" + std::to_string(tid) + "/exe"));
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

  Result<void> Loop() {
    bool forwarded = false;
    while (!tracees_.empty()) {
      if (options_.stop_signal != nullptr && options_.stop_signal->load() != 0) {
        if (attached_ && !stopping_) {
          BeginStop();
        } else if (!attached_ && !forwarded) {
          kill(root_, options_.stop_signal->load());
          forwarded = true;
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
  pid_t root_ = 0;
  int root_status_ = 0;
  profile::ProfileBuilder builder_;
  std::map<pid_t, Tracee> tracees_;
};

std::vector<pid_t> ThreadsOf(pid_t pid) {
  std::vector<pid_t> threads;
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (dir == nullptr) return threads;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    threads.push_back(static_cast<pid_t>(std::atoi(entry->d_name)));
  }
  closedir(dir);
  return threads;
}

Result<RecordResult> Attach(const RecordOptions& options) {
  const uint64_t start = MonotonicNs();
  PtraceSession session(options, /*attached=*/true, start);
  session.armed_ = true;
  session.root_ = options.pid;
  // Seize every thread; repeat until no new thread appears (threads may start meanwhile, and
  // threads started by seized ones are attached automatically).
  std::set<pid_t> seized;
  for (int round = 0; round < 100; ++round) {
    bool added = false;
    for (pid_t tid : ThreadsOf(options.pid)) {
      if (seized.count(tid) != 0) continue;
      if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(kTraceOptions))) != 0) {
        if (errno == ESRCH) continue;  // exited meanwhile
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

Result<RecordResult> Launch(const RecordOptions& options, const std::string& program) {
  int cpu = -1;
  if (options.pin_cpu) {
    cpu = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
  }
  std::vector<char*> argv;
  for (const std::string& arg : options.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const bpf::Program trace_all = {bpf::Instruction{static_cast<uint16_t>(bpf::op::kRet | bpf::op::kK), 0, 0,
                                                   seccomp_ret::kTrace}};
  const uint64_t start = MonotonicNs();
  const pid_t child = fork();
  if (child < 0) return MakeError(ErrorCode::kOs, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    raise(SIGSTOP);
    auto installed = os::InstallFilter(trace_all);
    if (!installed.ok()) _exit(126);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(child, &status, __WALL) != child || !WIFSTOPPED(status)) {
    return MakeError(ErrorCode::kOs, "the launched child did not stop for the tracer");
  }
  if (ptrace(PTRACE_SETOPTIONS, child, nullptr,
             reinterpret_cast<void*>(static_cast<intptr_t>(kTraceOptions | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL))) != 0) {
    const int err = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, __WALL);
    return MakeError(ErrorCode::kOs, std::string("PTRACE_SETOPTIONS: ") + std::strerror(err));
  }
  PtraceSession session(options, /*attached=*/false, start);
  session.root_ = child;
  Tracee& root = session.Get(child);
  root.seen = true;
  ptrace(PTRACE_CONT, child, nullptr, nullptr);
  auto looped = session.Loop();
  if (!looped.ok()) return looped.error();
  RecordResult result;
  result.profile = session.builder_.Finish("ptrace", MonotonicNs());
  result.exit_status = os::ShellExitStatus(session.root_status_);
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
