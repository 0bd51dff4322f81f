// SPDX-License-Identifier: Apache-2.0
#include "os/process_filters.h"


#include <sys/ptrace.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "os/proc.h"
#include "os/seccomp_uapi.h"

namespace sysfence::os {
namespace {

Error StepError(pid_t pid, const std::string& step, int err) {
  ErrorCode code = ErrorCode::kOs;
  std::string why = std::strerror(err);
  if (err == ESRCH) {
    code = ErrorCode::kNotFound;
    why += " (no such process, or it exited)";
  } else if (err == EPERM || err == EACCES) {
    code = ErrorCode::kPermission;
    why += " (needs CAP_SYS_ADMIN, and the caller must not run under seccomp)";
  } else if (err == EINVAL || err == EIO) {
    code = ErrorCode::kUnsupported;
    why += " (the kernel lacks PTRACE_SECCOMP_GET_FILTER: CONFIG_CHECKPOINT_RESTORE)";
  }
  return MakeError(code, "pid " + std::to_string(pid) + ": " + step + " failed: " + why);
}

}  // namespace

Result<std::vector<bpf::Program>> ReadProcessFilters(pid_t pid) {
  if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) return StepError(pid, "ptrace attach (PTRACE_SEIZE)", errno);
  auto detach = [pid] { ptrace(PTRACE_DETACH, pid, nullptr, nullptr); };
  if (ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) != 0) {
    const int err = errno;
    detach();
    return StepError(pid, "ptrace interrupt", err);
  }
  int status = 0;
  if (waitpid(pid, &status, __WALL) < 0) {
    const int err = errno;
    detach();
    return StepError(pid, "waiting for the stop", err);
  }
  std::vector<bpf::Program> filters;
  for (unsigned long index = 0;; ++index) {
    const long count = ptrace(static_cast<__ptrace_request>(PTRACE_SECCOMP_GET_FILTER), pid,
                              reinterpret_cast<void*>(index), nullptr);
    if (count < 0) {
      const int err = errno;
      if (err == ENOENT) break;  // past the last filter
      if (err == EINVAL && index == 0 && SeccompModeOf(pid) == 0) break;  // no seccomp at all
      detach();
      return StepError(pid, "reading filter " + std::to_string(index), err);
    }
    bpf::Program program(static_cast<size_t>(count));
    if (ptrace(static_cast<__ptrace_request>(PTRACE_SECCOMP_GET_FILTER), pid, reinterpret_cast<void*>(index),
               program.data()) != count) {
      const int err = errno;
      detach();
      return StepError(pid, "reading filter " + std::to_string(index), err);
    }
    filters.push_back(std::move(program));
  }
  detach();
  return filters;
}

}  // namespace sysfence::os
