// SPDX-License-Identifier: Apache-2.0
#include "record/recorder.h"

#include <linux/seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "os/cgroup.h"
#include "os/features.h"
#include "os/spawn.h"
#include "policy/policy.h"
#include "record/backends.h"
#include "record/created_dirs.h"
#include "record/exec_interpreter.h"
#include "record/process_util.h"

namespace sysfence::record {
namespace {

// User notification with CONTINUE (5.5) and pidfd_getfd (5.6) are what the unotify backend needs.
Result<void> UnotifyUsable() {
  if (!os::SeccompActionAvailable(SECCOMP_RET_USER_NOTIF)) {
    return MakeError(ErrorCode::kUnsupported, "this kernel has no seccomp user notification (Linux 5.0+)");
  }
  if (syscall(SYS_pidfd_getfd, -1, 0, 0) != 0 && errno == ENOSYS) {
    return MakeError(ErrorCode::kUnsupported, "this kernel has no pidfd_getfd (Linux 5.6+), which unotify needs");
  }
  return Ok();
}

}  // namespace

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kAuto: return "auto";
    case Backend::kEbpf: return "ebpf";
    case Backend::kUnotify: return "unotify";
    case Backend::kPtrace: return "ptrace";
  }
  return "auto";
}

std::optional<Backend> BackendFromName(std::string_view name) {
  for (Backend backend : {Backend::kAuto, Backend::kEbpf, Backend::kUnotify, Backend::kPtrace}) {
    if (BackendName(backend) == name) return backend;
  }
  return std::nullopt;
}

Backend ChooseBackend(const RecordOptions& options, std::string* why) {
  if (options.backend != Backend::kAuto) {
    if (why) *why = "as asked";
    return options.backend;
  }
  auto ebpf = EbpfUsable();
  if (!options.cgroup.empty()) {
    if (why) *why = "only ebpf follows a cgroup";
    return Backend::kEbpf;
  }
  if (ebpf.ok() && !options.paths) {
    if (why) *why = "the fastest here: counts in the kernel";
    return Backend::kEbpf;
  }
  std::string reason = options.paths ? "--fs needs a backend that reads paths" : ebpf.error().message;
  if (options.pid == 0 && UnotifyUsable().ok()) {
    if (why) *why = "ebpf is not usable (" + reason + ")";
    return Backend::kUnotify;
  }
  if (why) {
    *why = options.pid != 0 ? "attaching to a running process" + (ebpf.ok() ? "" : " (ebpf: " + reason + ")")
                            : "neither ebpf nor unotify is usable here";
  }
  return Backend::kPtrace;
}

Result<void> CheckRecordOptions(const RecordOptions& options) {
  if (options.command.empty() && options.pid == 0 && options.cgroup.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "nothing to record: give a command, -p PID or --cgroup PATH");
  }
  if (!options.command.empty() && (options.pid != 0 || !options.cgroup.empty())) {
    return MakeError(ErrorCode::kInvalidInput, "give either a command or what to attach to (-p PID, --cgroup PATH), not both");
  }
  if (!options.cgroup.empty()) {
    if (auto dir = os::ResolveCgroupDir(options.cgroup); !dir.ok()) return dir.error();
    if (options.backend != Backend::kAuto && options.backend != Backend::kEbpf) {
      return MakeError(ErrorCode::kInvalidInput, "only the ebpf backend follows a cgroup (--cgroup)");
    }
  }
  if (options.count_from_exec && (options.pid == 0 || ChooseBackend(options, nullptr) != Backend::kEbpf)) {
    return MakeError(ErrorCode::kInvalidInput, "counting from the next execve needs a pid and the ebpf backend");
  }
  if (options.pid < 0) return MakeError(ErrorCode::kInvalidInput, "-p needs a positive pid");
  if (options.pid != 0) {
    if (kill(options.pid, 0) != 0 && errno == ESRCH) {
      return MakeError(ErrorCode::kNotFound, "no process with pid " + std::to_string(options.pid));
    }
    if (options.pid == getpid()) return MakeError(ErrorCode::kInvalidInput, "sysfence cannot record itself");
  } else if (!options.command.empty()) {
    auto program = os::ResolveProgram(options.command.front());
    if (!program.ok()) return program.error();
  }
  const Backend backend = ChooseBackend(options, nullptr);
  switch (backend) {
    case Backend::kEbpf: {
      if (options.paths) {
        return MakeError(ErrorCode::kInvalidInput,
                         "the ebpf backend does not record paths: use --backend unotify or ptrace with --fs");
      }
      return EbpfUsable();
    }
    case Backend::kUnotify:
      if (options.pid != 0) {
        return MakeError(ErrorCode::kInvalidInput,
                         "the unotify backend cannot attach to a running process: use --backend ptrace or ebpf with -p");
      }
      return UnotifyUsable();
    case Backend::kPtrace:
    case Backend::kAuto: break;
  }
  return Ok();
}

Result<RecordResult> Record(const RecordOptions& options) {
  if (auto checked = CheckRecordOptions(options); !checked.ok()) return checked.error();
  std::string why;
  const Backend backend = ChooseBackend(options, &why);
  std::string program;
  if (!options.command.empty()) program = os::ResolveProgram(options.command.front()).value();
  Result<RecordResult> recorded = MakeError(ErrorCode::kInternal, "no backend ran");
  switch (backend) {
    case Backend::kEbpf: recorded = RecordWithEbpf(options, program); break;
    case Backend::kUnotify: recorded = RecordWithUnotify(options, program); break;
    case Backend::kPtrace:
    case Backend::kAuto: recorded = RecordWithPtrace(options, program); break;
  }
  if (!recorded.ok()) return recorded.error();
  RecordResult result = std::move(recorded.value());
  result.backend = backend;
  result.profile.kernel_release = KernelRelease();
  result.profile.command = options.command;
  result.profile.attached_pid = options.pid;
  if (options.paths) {
    // execve opens the program and its interpreters itself: no open call shows them.
    if (!program.empty()) {
      result.profile.paths[std::filesystem::absolute(program).lexically_normal().string()] |=
          policy::kFsExecute | policy::kFsReadFile;
    }
    AddExecInterpreters(result.profile);
    DropMissingPaths(result.profile);
    FoldCreatedDirectories(result.profile);
    GrantCreationsToFolders(result.profile);
  }
  if (options.backend == Backend::kAuto) {
    result.notes.push_back("recording with the " + std::string(BackendName(backend)) + " backend: " + why);
  }
  return result;
}

}  // namespace sysfence::record
