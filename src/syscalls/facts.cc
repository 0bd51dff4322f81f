// SPDX-License-Identifier: Apache-2.0
#include "syscalls/facts.h"

#include <utility>

namespace sysfence::syscalls {
namespace {

constexpr std::string_view kAlwaysNeeded[] = {"exit", "exit_group", "restart_syscall", "rt_sigreturn", "sigreturn"};

constexpr std::string_view kVdso[] = {"clock_getres", "clock_gettime", "getcpu", "gettimeofday", "time"};

constexpr FallbackTwin kTwins[] = {
    {"clone3", "clone"},                 // glibc 2.34+: pthread_create, posix_spawn, fork
    {"close_range", "close"},            // closefrom() loops over close() on ENOSYS
    {"epoll_pwait2", "epoll_pwait"},
    {"faccessat2", "faccessat"},         // glibc 2.33+
    {"faccessat2", "access"},
    {"fchmodat2", "fchmodat"},           // glibc 2.39+
    {"fchmodat2", "chmod"},
    {"futex_waitv", "futex"},
    {"openat2", "openat"},
    {"openat2", "open"},
    {"preadv2", "preadv"},
    {"pwritev2", "pwritev"},
    {"renameat2", "renameat"},
    {"renameat2", "rename"},
    {"statx", "newfstatat"},             // coreutils and others try statx first
    {"statx", "fstat"},
    {"statx", "stat"},
    {"statx", "lstat"},
};

constexpr std::string_view kEnosysSafe[] = {"rseq"};

// Linux release that added each syscall numbered 424 and up (the numbers are the same on every ABI).
constexpr std::pair<std::string_view, std::string_view> kIntroduced[] = {
    {"pidfd_send_signal", "5.1"}, {"io_uring_setup", "5.1"}, {"io_uring_enter", "5.1"},
    {"io_uring_register", "5.1"}, {"open_tree", "5.2"}, {"move_mount", "5.2"}, {"fsopen", "5.2"},
    {"fsconfig", "5.2"}, {"fsmount", "5.2"}, {"fspick", "5.2"}, {"pidfd_open", "5.3"}, {"clone3", "5.3"},
    {"close_range", "5.9"}, {"openat2", "5.6"}, {"pidfd_getfd", "5.6"}, {"faccessat2", "5.8"},
    {"process_madvise", "5.10"}, {"epoll_pwait2", "5.11"}, {"mount_setattr", "5.12"}, {"quotactl_fd", "5.14"},
    {"landlock_create_ruleset", "5.13"}, {"landlock_add_rule", "5.13"}, {"landlock_restrict_self", "5.13"},
    {"memfd_secret", "5.14"}, {"process_mrelease", "5.15"}, {"futex_waitv", "5.16"},
    {"set_mempolicy_home_node", "5.17"}, {"cachestat", "6.5"}, {"fchmodat2", "6.6"}, {"map_shadow_stack", "6.6"},
    {"futex_wake", "6.7"}, {"futex_wait", "6.7"}, {"futex_requeue", "6.7"}, {"statmount", "6.8"},
    {"listmount", "6.8"}, {"lsm_get_self_attr", "6.8"}, {"lsm_set_self_attr", "6.8"}, {"lsm_list_modules", "6.8"},
    {"mseal", "6.10"}, {"setxattrat", "6.13"}, {"getxattrat", "6.13"}, {"listxattrat", "6.13"},
    {"removexattrat", "6.13"}, {"open_tree_attr", "6.15"}, {"file_getattr", "6.17"}, {"file_setattr", "6.17"},
    {"listns", "6.19"}, {"rseq_slice_yield", "7.0"},
};

constexpr std::pair<std::string_view, std::string_view> kDangerous[] = {
    {"acct", "turns process accounting on or off"},
    {"add_key", "kernel keyring: a frequent source of kernel bugs"},
    {"bpf", "loads eBPF programs into the kernel"},
    {"chroot", "changes the root directory"},
    {"delete_module", "unloads kernel modules"},
    {"finit_module", "loads kernel modules"},
    {"fsconfig", "new mount API"},
    {"fsmount", "new mount API"},
    {"fsopen", "new mount API"},
    {"fspick", "new mount API"},
    {"init_module", "loads kernel modules"},
    {"io_uring_enter", "io_uring runs file and network operations no syscall filter sees"},
    {"io_uring_register", "io_uring runs file and network operations no syscall filter sees"},
    {"io_uring_setup", "io_uring runs file and network operations no syscall filter sees"},
    {"ioperm", "direct I/O port access"},
    {"iopl", "direct I/O port access"},
    {"kexec_file_load", "replaces the running kernel"},
    {"kexec_load", "replaces the running kernel"},
    {"keyctl", "kernel keyring: a frequent source of kernel bugs"},
    {"mount", "changes the mount table"},
    {"mount_setattr", "changes mount attributes"},
    {"move_mount", "new mount API"},
    {"name_to_handle_at", "file handles bypass path-based checks"},
    {"open_by_handle_at", "file handles bypass path-based checks (the 'shocker' container escape)"},
    {"open_tree", "new mount API"},
    {"perf_event_open", "kernel performance events: information leaks and kernel bugs"},
    {"pidfd_getfd", "steals file descriptors from other processes"},
    {"pivot_root", "changes the root file system"},
    {"process_vm_readv", "reads another process's memory"},
    {"process_vm_writev", "writes another process's memory"},
    {"ptrace", "controls other processes; before Linux 4.8 a ptracer could bypass seccomp"},
    {"reboot", "reboots the machine"},
    {"request_key", "kernel keyring: a frequent source of kernel bugs"},
    {"setns", "joins other namespaces"},
    {"swapoff", "changes swap"},
    {"swapon", "changes swap"},
    {"umount2", "changes the mount table"},
    {"unshare", "creates namespaces (user namespaces expose much more kernel surface)"},
    {"userfaultfd", "stalls kernel accesses to user memory: a tool for exploiting races"},
};

}  // namespace

std::span<const std::string_view> AlwaysNeededSyscalls() { return kAlwaysNeeded; }
std::span<const std::string_view> VdsoFallbackSyscalls() { return kVdso; }
std::span<const FallbackTwin> FallbackTwins() { return kTwins; }
std::span<const std::string_view> EnosysSafeSyscalls() { return kEnosysSafe; }

std::optional<std::string_view> IntroducedIn(std::string_view name) {
  for (const auto& [syscall, release] : kIntroduced) {
    if (syscall == name) return release;
  }
  return std::nullopt;
}

std::optional<std::string_view> DangerReason(std::string_view name) {
  for (const auto& [syscall, reason] : kDangerous) {
    if (syscall == name) return reason;
  }
  return std::nullopt;
}

}  // namespace sysfence::syscalls
