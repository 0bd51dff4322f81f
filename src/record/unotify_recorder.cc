// SPDX-License-Identifier: Apache-2.0
// The user-notification recorder. The launched child installs "notify every syscall" with a
// listener (the os spawner hands the listener over before the child may exec), and from its
// execve on every syscall is received, recorded and continued (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
// by the os notification loop. Nothing needs to be let through unnotified: the child makes no
// syscall between installing the filter and execve. Return values are invisible here: the call
// runs after the answer. The recording ends when the launched program exits.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <vector>

#include "bpf/program.h"
#include "core/action.h"
#include "os/exit_status.h"
#include "os/notify.h"
#include "os/proc.h"
#include "os/spawn.h"
#include "profile/profile_builder.h"
#include "record/backends.h"
#include "record/process_util.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

bool IsExec(std::string_view name) { return name == "execve" || name == "execveat"; }

// Turns each notification into profile entries; every call is continued.
class UnotifyRecording : public os::NotifyHandler {
 public:
  UnotifyRecording(const RecordOptions& options, pid_t root, uint64_t start_ns)
      : options_(options), builder_(NativeArch(), start_ns) {
    builder_.SetLiveCounts(options.live);
    builder_.SetErrorsKnown(false);
    builder_.SetPathsKnown(options.paths);
    exe_of_[root] = os::ExecutableOf(root);
    tgid_of_[root] = root;
    seen_.push_back(os::RefOf(root));
  }

  os::NotifyAnswer Decide(const os::Notification& call) override {
    const pid_t tid = call.tid;
    const pid_t tgid = ProcessOf(tid);
    if (exec_pending_[tgid]) {
      // The first call after an execve: did the exec replace the image?
      exec_pending_[tgid] = false;
      std::string exe = os::ExecutableOf(tgid);
      if (!exe.empty() && exe != exe_of_[tgid]) {
        builder_.OnExec(tgid, exe);
        exe_of_[tgid] = exe;
      }
    }
    const auto nr = static_cast<uint32_t>(call.data.nr);
    const auto arch = ArchOfSyscall(call.data.arch, nr);
    if (!arch) return {};
    const auto* args = reinterpret_cast<const uint64_t*>(call.data.args);
    builder_.OnSyscall(tgid, *arch, nr, args, MonotonicNs());
    if (auto name = syscalls::NameOf(*arch, nr)) {
      if (IsExec(*name)) exec_pending_[tgid] = true;
      if (options_.paths) CapturePathAccess(builder_, tid, *name, args);
    }
    return {};
  }
  void Answered(const os::Notification&, const os::NotifyAnswer&, bool) override {}

  /// Every process seen so far (the recorded tree), as it was when first seen.
  const std::vector<os::ProcessRef>& Processes() const { return seen_; }
  profile::ProfileBuilder& builder() { return builder_; }

 private:
  pid_t ProcessOf(pid_t tid) {
    auto [it, new_thread] = tgid_of_.try_emplace(tid, 0);
    if (new_thread) {
      it->second = os::ThreadGroupOf(tid);
      if (it->second == tid && exe_of_.count(tid) == 0) {
        // Its parent, when the recording saw that one: the tree's root and attached ones have none.
        const pid_t parent = os::ParentOf(tid);
        builder_.OnNewProcess(tid, exe_of_.count(parent) != 0 ? parent : 0);
        exe_of_[tid] = os::ExecutableOf(tid);
        builder_.AddProcess(tid, exe_of_.count(parent) != 0 ? parent : 0, exe_of_[tid]);
        seen_.push_back(os::RefOf(tid));
      }
    }
    return it->second;
  }

  const RecordOptions& options_;
  profile::ProfileBuilder builder_;
  std::map<pid_t, pid_t> tgid_of_;            // tid -> tgid
  std::map<pid_t, std::string> exe_of_;       // tgid -> executable before a pending exec
  std::map<pid_t, bool> exec_pending_;        // tgid -> an execve was let through
  std::vector<os::ProcessRef> seen_;          // every process, when first seen
};

// The child's steps: dies with us, sysfence's signal changes undone, pinned when asked, then the
// notify-everything filter.
os::SpawnSpec UnotifySpec(const RecordOptions& options, const std::string& program, int cpu) {
  os::SpawnSpec spec;
  spec.path = program;
  spec.argv = options.command;
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kDeathSignal));
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kSignals));
  if (cpu >= 0) spec.steps.push_back(os::SpawnStep::Affinity(cpu));
  spec.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kNoNewPrivs));
  const bpf::Program notify_all = {bpf::Instruction{static_cast<uint16_t>(bpf::op::kRet | bpf::op::kK), 0, 0,
                                                    seccomp_ret::kUserNotif}};
  spec.steps.push_back(os::SpawnStep::Seccomp(notify_all, /*new_listener=*/true));
  return spec;
}

}  // namespace

Result<RecordResult> RecordWithUnotify(const RecordOptions& options, const std::string& program) {
  if (options.pid != 0) {
    return MakeError(ErrorCode::kUnsupported,
                     "the unotify backend cannot attach to a running process (-p): use ptrace or ebpf");
  }
  const int cpu = options.pin_cpu ? PinToCurrentCpu() : -1;
  const uint64_t start = MonotonicNs();
  Result<os::SpawnedChild> spawned = os::Spawn(UnotifySpec(options, program, cpu));
  if (!spawned.ok()) {
    return MakeError(spawned.error().code, "cannot start the program: " + spawned.error().message);
  }
  os::SpawnedChild child = std::move(spawned).value();
  os::NotifyListener listener(child.TakeListener());
  // One wake-up handoff per notification instead of a scheduler round trip (Linux 6.6+).
  listener.EnableSyncWakeUp();

  UnotifyRecording recording(options, child.pid(), start);
  StopForwarder stop(options.stop_signal);
  int status = 0;
  bool reaped = false;
  // The recording ends when the launched program exits (its pidfd becomes readable).
  std::vector<os::WatchedFd> watched;
  watched.push_back({child.pidfd(), [&](short) -> Result<os::WatchedFd::Next> {
                       while (waitpid(child.pid(), &status, 0) < 0 && errno == EINTR) {
                       }
                       reaped = true;
                       return os::WatchedFd::Next::kStop;
                     }});
  os::LoopHooks hooks;
  hooks.before_poll = [&] { stop.Forward([&] { return recording.Processes(); }); };
  child.Release();
  Result<void> served = listener.Run(recording, std::move(watched), hooks);
  if (!served.ok()) return served.error();
  while (!reaped && waitpid(child.pid(), &status, 0) < 0 && errno == EINTR) {
  }
  child.Detach();
  RecordResult result;
  result.profile = recording.builder().Finish("unotify", MonotonicNs());
  result.exit_status = os::ShellExitStatus(status);
  // Left behind, they would get ENOSYS from every call once the listener closes: end them.
  result.orphans = EndOrphans(recording.Processes(), child.pid());
  return result;
}

}  // namespace sysfence::record
