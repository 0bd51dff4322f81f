// SPDX-License-Identifier: Apache-2.0
#include "os/features.h"

#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "os/landlock.h"
#include "os/process_filters.h"
#include "os/seccomp_uapi.h"

namespace sysfence::os {
namespace {

bool Exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

// Runs `probe` in a forked child and returns its exit status (or -1 when it died or fork failed).
template <typename Probe>
int InChild(Probe probe) {
  const pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) _exit(probe());
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

constexpr sock_filter kAllowAll[] = {{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};

// 0: FD_SYNC_WAKE_UP accepted; 1: refused; 2: could not get a listener.
int ProbeSyncWakeUp() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 2;
  sock_fprog fprog{1, const_cast<sock_filter*>(kAllowAll)};
  const long fd = SeccompSyscall(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  if (fd < 0) return 2;
  __u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
  return ioctl(static_cast<int>(fd), SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) == 0 ? 0 : 1;
}

void ProbeGetFilter(Features& features) {
  // A child with one allow-all filter that waits to be read; the parent reads it through ptrace.
  int ready[2];
  if (pipe(ready) != 0) {
    features.ptrace_seccomp_get_filter_reason = "pipe failed";
    return;
  }
  const pid_t child = fork();
  if (child < 0) {
    close(ready[0]);
    close(ready[1]);
    features.ptrace_seccomp_get_filter_reason = "fork failed";
    return;
  }
  if (child == 0) {
    close(ready[0]);
    sock_fprog fprog{1, const_cast<sock_filter*>(kAllowAll)};
    char ok = (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && SeccompSyscall(SECCOMP_SET_MODE_FILTER, 0, &fprog) == 0)
                  ? 1
                  : 0;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    while (true) pause();
  }
  close(ready[1]);
  char ok = 0;
  const bool got = read(ready[0], &ok, 1) == 1 && ok == 1;
  close(ready[0]);
  if (got) {
    auto filters = ReadProcessFilters(child);
    features.ptrace_seccomp_get_filter = filters.ok() && filters->size() == 1;
    if (!filters.ok()) features.ptrace_seccomp_get_filter_reason = filters.error().message;
  } else {
    features.ptrace_seccomp_get_filter_reason = "could not install a test filter";
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

}  // namespace

bool Features::HasAction(ActionKind kind) const {
  for (const ActionSupport& action : actions) {
    if (action.kind == kind) return action.available;
  }
  return false;
}

bool Features::HasFilterFlag(const std::string& name) const {
  for (const FilterFlagSupport& flag : filter_flags) {
    if (flag.name == name) return flag.supported;
  }
  return false;
}

Features ProbeFeatures() {
  Features features;
  struct utsname name;
  if (uname(&name) == 0) features.kernel_release = name.release;

  const int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  features.seccomp = mode >= 0;
  features.current_seccomp_mode = mode < 0 ? 0 : mode;
  // With a NULL program, a known operation and flags fail with EFAULT, unknown ones with EINVAL
  // (how the kernel's selftests detect flags).
  features.seccomp_filter = SeccompSyscall(SECCOMP_SET_MODE_FILTER, 0, nullptr) < 0 && errno == EFAULT;

  for (ActionKind kind : {ActionKind::kKillProcess, ActionKind::kKillThread, ActionKind::kTrap, ActionKind::kErrno,
                          ActionKind::kNotify, ActionKind::kTrace, ActionKind::kLog, ActionKind::kAllow}) {
    features.actions.push_back({kind, SeccompActionAvailable(Action{kind, 0}.ToSeccompRet())});
  }

  struct FlagProbe {
    const char* name;
    uint32_t value;
    uint32_t with;  // flags the probe must add for the kernel to accept the combination
  };
  const FlagProbe probes[] = {
      {"TSYNC", SECCOMP_FILTER_FLAG_TSYNC, 0},
      {"LOG", SECCOMP_FILTER_FLAG_LOG, 0},
      {"SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, 0},
      {"NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER, 0},
      {"TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH, 0},
      {"WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_FILTER_FLAG_NEW_LISTENER},
  };
  for (const FlagProbe& probe : probes) {
    const bool supported = SeccompSyscall(SECCOMP_SET_MODE_FILTER, probe.value | probe.with, nullptr) < 0 &&
                           errno == EFAULT;
    features.filter_flags.push_back({probe.name, probe.value, supported});
  }

  seccomp_notif_sizes sizes{};
  if (SeccompSyscall(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0) {
    features.notif_sizes = NotifSizes{sizes.seccomp_notif, sizes.seccomp_notif_resp, sizes.seccomp_data};
  }
  if (features.HasFilterFlag("NEW_LISTENER")) features.notif_fd_sync_wake_up = InChild(ProbeSyncWakeUp) == 0;

  features.landlock_abi = ProbeLandlockAbi(&features.landlock_unavailable_reason);

  if (features.seccomp_filter) {
    ProbeGetFilter(features);
  } else {
    features.ptrace_seccomp_get_filter_reason = "no seccomp filters";
  }

  features.user_namespaces = InChild([] { return unshare(CLONE_NEWUSER) == 0 ? 0 : 1; }) == 0;
  features.tracefs = Exists("/sys/kernel/tracing/events/raw_syscalls") ||
                     Exists("/sys/kernel/debug/tracing/events/raw_syscalls");
  features.btf = Exists("/sys/kernel/btf/vmlinux");
  return features;
}

bool SeccompActionAvailable(uint32_t ret) { return SeccompSyscall(SECCOMP_GET_ACTION_AVAIL, 0, &ret) == 0; }

}  // namespace sysfence::os
