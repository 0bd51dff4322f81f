// SPDX-License-Identifier: Apache-2.0
#include "os/seccomp_install.h"

#include <linux/filter.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bpf/verifier.h"
#include "os/seccomp_uapi.h"

namespace sysfence::os {
namespace {

std::string ErrnoText(int err) {
  const char* name = strerrorname_np(err);
  return std::string(name != nullptr ? name : "errno " + std::to_string(err)) + ": " + std::strerror(err);
}

std::string FlagNames(unsigned int flags) {
  std::string names;
  auto add = [&](unsigned int bit, const char* name) {
    if ((flags & bit) == 0) return;
    if (!names.empty()) names += "|";
    names += name;
  };
  add(SECCOMP_FILTER_FLAG_TSYNC, "TSYNC");
  add(SECCOMP_FILTER_FLAG_LOG, "LOG");
  add(SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER");
  add(SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "TSYNC_ESRCH");
  add(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "WAIT_KILLABLE_RECV");
  return names.empty() ? "none" : names;
}

Error SeccompError(int err, unsigned int flags, size_t length) {
  const std::string prefix = "seccomp(SECCOMP_SET_MODE_FILTER, flags " + FlagNames(flags) + ") failed (" +
                             ErrnoText(err) + "): ";
  switch (err) {
    case EACCES:
      return MakeError(ErrorCode::kPermission,
                       prefix + "no_new_privs is not set and the caller lacks CAP_SYS_ADMIN in its user namespace");
    case EINVAL:
      return MakeError(ErrorCode::kUnsupported,
                       prefix + "the kernel does not support one of these flags or seccomp filters at all (the "
                                "program itself passed sysfence's verifier, which matches the kernel's)");
    case ENOMEM:
      return MakeError(ErrorCode::kLimit, prefix + "the filters of this thread would exceed 32768 instructions in "
                                                   "total (this one has " +
                                              std::to_string(length) + ", each earlier filter costs 4 more)");
    case EBUSY:
      return MakeError(ErrorCode::kOs, prefix + "a filter with a notification listener is already installed");
    case ESRCH:
      return MakeError(ErrorCode::kOs, prefix + "another thread could not be synchronized (it runs a filter that "
                                                "is not an ancestor of ours, or is exiting)");
    case ENOSYS:
      return MakeError(ErrorCode::kUnsupported, prefix + "this kernel has no seccomp(2)");
    default: return MakeError(ErrorCode::kOs, prefix + "unexpected error");
  }
}

}  // namespace

Result<int> InstallFilter(const bpf::Program& program, const InstallOptions& options) {
  if (auto verified = bpf::Verify(program); !verified.ok()) {
    return MakeError(verified.error().code, "verify: the kernel would reject this filter: " + verified.error().message);
  }
  if (options.wait_killable_recv && !options.new_listener) {
    return MakeError(ErrorCode::kInvalidInput, "seccomp: wait_killable_recv needs new_listener (the kernel refuses "
                                               "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV alone)");
  }
  if (options.set_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    const int err = errno;
    return MakeError(ErrorCode::kOs, "no_new_privs: prctl(PR_SET_NO_NEW_PRIVS) failed (" + ErrnoText(err) + ")");
  }
  unsigned int flags = 0;
  if (options.thread_sync) flags |= SECCOMP_FILTER_FLAG_TSYNC;
  if (options.log) flags |= SECCOMP_FILTER_FLAG_LOG;
  if (options.new_listener) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  if (options.wait_killable_recv) flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  // TSYNC reports a failing thread by returning its id, NEW_LISTENER returns an fd: together the
  // kernel requires TSYNC_ESRCH, which turns a TSYNC failure into ESRCH.
  if (options.thread_sync && options.new_listener) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

  sock_fprog fprog{static_cast<unsigned short>(program.size()),
                   const_cast<sock_filter*>(reinterpret_cast<const sock_filter*>(program.data()))};
  const long result = SeccompSyscall(SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (result < 0) return SeccompError(errno, flags, program.size());
  if (options.thread_sync && !options.new_listener && result > 0) {
    return MakeError(ErrorCode::kOs, "seccomp: TSYNC failed: thread " + std::to_string(result) +
                                         " could not be synchronized (it runs a filter that is not an ancestor of "
                                         "ours); no thread got the filter");
  }
  return options.new_listener ? static_cast<int>(result) : -1;
}

int StartLoggedDenialMarker() {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
      SeccompSyscall(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &program) == 0) {
    syscall(SYS_getppid);
  }
  _exit(0);
}

}  // namespace sysfence::os
