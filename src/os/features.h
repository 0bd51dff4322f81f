// SPDX-License-Identifier: Apache-2.0
// What this kernel offers for sandboxing, probed without side effects on the calling process
// (probes that must install a filter do so in a forked child).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/action.h"

namespace sysfence::os {

/// One seccomp filter flag and whether the kernel knows it.
struct FilterFlagSupport {
  std::string name;  ///< "TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH", "WAIT_KILLABLE_RECV"
  uint32_t value = 0;
  bool supported = false;
};

/// One seccomp action and whether the kernel offers it (SECCOMP_GET_ACTION_AVAIL).
struct ActionSupport {
  ActionKind kind = ActionKind::kAllow;
  bool available = false;
};

/// Sizes of the user-notification structures (SECCOMP_GET_NOTIF_SIZES).
struct NotifSizes {
  uint16_t notif = 0;     ///< struct seccomp_notif
  uint16_t response = 0;  ///< struct seccomp_notif_resp
  uint16_t data = 0;      ///< struct seccomp_data
};

/// Everything sysfence wants to know about the kernel. Query it once with ProbeFeatures().
struct Features {
  std::string kernel_release;        ///< uname -r
  bool seccomp = false;              ///< CONFIG_SECCOMP (prctl(PR_GET_SECCOMP) works)
  bool seccomp_filter = false;       ///< filter mode (seccomp(2) with SECCOMP_SET_MODE_FILTER)
  int current_seccomp_mode = 0;      ///< of the calling thread: 0 none, 1 strict, 2 filter
  std::vector<ActionSupport> actions;        ///< every action, in ActionKind order
  std::vector<FilterFlagSupport> filter_flags;
  std::optional<NotifSizes> notif_sizes;     ///< nullopt before Linux 5.0
  bool notif_fd_sync_wake_up = false;        ///< SECCOMP_IOCTL_NOTIF_SET_FLAGS(FD_SYNC_WAKE_UP), 6.6+
  int landlock_abi = 0;                      ///< 0: Landlock unavailable
  std::string landlock_unavailable_reason;   ///< why landlock_abi is 0
  bool ptrace_seccomp_get_filter = false;    ///< PTRACE_SECCOMP_GET_FILTER works (root + CHECKPOINT_RESTORE)
  std::string ptrace_seccomp_get_filter_reason;  ///< why not, when false
  bool user_namespaces = false;              ///< an unprivileged-style unshare(CLONE_NEWUSER) works
  bool tracefs = false;                      ///< raw_syscalls tracepoints visible (for the eBPF recorder)
  bool btf = false;                          ///< /sys/kernel/btf/vmlinux (CO-RE)

  /// True when `kind` is available.
  bool HasAction(ActionKind kind) const;
  /// True when the filter flag called `name` is supported.
  bool HasFilterFlag(const std::string& name) const;
};

/// Probes the running kernel. Never fails: what cannot be probed is reported as absent.
Features ProbeFeatures();

/// Whether the kernel offers the seccomp return action `ret` (SECCOMP_GET_ACTION_AVAIL).
bool SeccompActionAvailable(uint32_t ret);

}  // namespace sysfence::os
