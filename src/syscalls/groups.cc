// SPDX-License-Identifier: Apache-2.0
// Built-in groups of syscalls, in the spirit of systemd's SystemCallFilter sets. The memberships are
// sysfence's own, decided from what each syscall does; docs/syscalls.md lists them (generated with
// `sysfence syscalls --groups --markdown`). Members may name syscalls of any ABI and nested groups.
#include <algorithm>
#include <array>
#include <cassert>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

using Names = std::string_view;

constexpr Names kAio[] = {
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
    "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
};

constexpr Names kBasicIo[] = {
    "_llseek", "close", "close_range", "copy_file_range", "dup", "dup2", "dup3", "lseek", "pread64",
    "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv", "sendfile", "sendfile64",
    "splice", "tee", "vmsplice", "write", "writev",
};

constexpr Names kChown[] = {
    "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
};

constexpr Names kClock[] = {
    "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64", "settimeofday", "stime",
};

constexpr Names kCpuEmulation[] = {
    "modify_ldt", "personality", "subpage_prot", "switch_endian", "usr26", "usr32", "vm86", "vm86old",
};

constexpr Names kDebug[] = {
    "breakpoint", "kcmp", "lookup_dcookie", "perf_event_open", "pidfd_getfd", "process_vm_readv",
    "process_vm_writev", "ptrace", "s390_runtime_instr", "sys_debug_setcontext", "uprobe", "uretprobe",
};

constexpr Names kDefault[] = {
    "arch_prctl", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
    "clock_nanosleep", "clock_nanosleep_time64", "exit", "exit_group", "futex", "futex_requeue",
    "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "get_robust_list", "get_thread_area",
    "get_tls", "getcpu", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
    "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid", "getppid", "getrandom", "getresgid",
    "getresgid32", "getresuid", "getresuid32", "getrlimit", "getsid", "gettid", "gettimeofday", "getuid",
    "getuid32", "membarrier", "nanosleep", "pause", "prlimit64", "restart_syscall", "riscv_hwprobe", "rseq",
    "rt_sigreturn", "sched_getaffinity", "sched_yield", "set_robust_list", "set_thread_area",
    "set_tid_address", "set_tls", "sigreturn", "time", "ugetrlimit",
};

constexpr Names kFileSystem[] = {
    "access", "arm_fadvise64_64", "cachestat", "chdir", "chmod", "creat", "faccessat", "faccessat2",
    "fadvise64", "fadvise64_64", "fallocate", "fanotify_init", "fanotify_mark", "fchdir", "fchmod",
    "fchmodat", "fchmodat2", "fcntl", "fcntl64", "fgetxattr", "file_getattr", "file_setattr", "flistxattr",
    "flock", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
    "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "getxattrat",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "lgetxattr", "link", "linkat",
    "listxattr", "listxattrat", "llistxattr", "lremovexattr", "lsetxattr", "lstat", "lstat64", "mkdir",
    "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2",
    "readahead", "readlink", "readlinkat", "removexattr", "removexattrat", "rename", "renameat",
    "renameat2", "rmdir", "setxattr", "setxattrat", "stat", "stat64", "statfs", "statfs64", "statx",
    "symlink", "symlinkat", "truncate", "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat",
    "utimensat_time64", "utimes",
};

constexpr Names kIoEvent[] = {
    "_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64", "select",
};

constexpr Names kIpc[] = {
    "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "pipe",
    "pipe2", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt",
    "shmget",
};

constexpr Names kKeyring[] = {"add_key", "keyctl", "request_key"};

constexpr Names kMemlock[] = {"mlock", "mlock2", "mlockall", "munlock", "munlockall"};

constexpr Names kMemory[] = {
    "@pkey", "brk", "cacheflush", "get_mempolicy", "madvise", "map_shadow_stack", "mbind", "memfd_create",
    "memfd_secret", "migrate_pages", "mincore", "mmap", "mmap2", "move_pages", "mprotect", "mremap",
    "mseal", "msync", "munmap", "process_madvise", "process_mrelease", "remap_file_pages",
    "riscv_flush_icache", "set_mempolicy", "set_mempolicy_home_node",
};

constexpr Names kModule[] = {
    "create_module", "delete_module", "finit_module", "get_kernel_syms", "init_module", "query_module",
};

constexpr Names kMount[] = {
    "chroot", "fsconfig", "fsmount", "fsopen", "fspick", "listmount", "mount", "mount_setattr", "move_mount",
    "open_tree", "open_tree_attr", "pivot_root", "statmount", "umount", "umount2",
};

constexpr Names kNetworkIo[] = {
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv",
    "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
    "setsockopt", "shutdown", "socket", "socketcall", "socketpair",
};

constexpr Names kObsolete[] = {
    "_sysctl", "afs_syscall", "bdflush", "break", "epoll_ctl_old", "epoll_wait_old", "ftime", "getpmsg",
    "gtty", "idle", "lock", "mpx", "nfsservctl", "oldfstat", "oldlstat", "oldolduname", "oldstat",
    "olduname", "prof", "profil", "putpmsg", "readdir", "security", "sgetmask", "signal", "ssetmask",
    "stty", "sysfs", "timerfd", "tuxcall", "ulimit", "uselib", "ustat", "vserver",
};

constexpr Names kPkey[] = {"pkey_alloc", "pkey_free", "pkey_mprotect"};

constexpr Names kPrivileged[] = {
    "@chown", "@clock", "@module", "@raw-io", "@reboot", "@setuid", "@swap", "acct", "bpf", "capset",
    "chroot", "open_by_handle_at", "pivot_root", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
    "syslog", "vhangup",
};

constexpr Names kProcess[] = {
    "capget", "clone", "clone3", "execve", "execveat", "fork", "getpriority", "getrusage", "ioprio_get",
    "listns", "pidfd_open", "prctl", "sched_get_priority_max", "sched_get_priority_min", "sched_getattr",
    "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "setns", "setpgid", "setsid", "times", "unshare", "vfork", "wait4", "waitid", "waitpid",
};

constexpr Names kRawIo[] = {
    "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "rtas",
    "s390_pci_mmio_read", "s390_pci_mmio_write",
};

constexpr Names kReboot[] = {"kexec_file_load", "kexec_load", "reboot"};

constexpr Names kResources[] = {
    "ioprio_set", "nice", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
    "setpriority", "setrlimit",
};

constexpr Names kSandbox[] = {"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "seccomp"};

constexpr Names kSetuid[] = {
    "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
    "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
    "setreuid32", "setuid", "setuid32",
};

constexpr Names kSignal[] = {
    "kill", "pidfd_send_signal", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sigaction",
    "sigaltstack", "signalfd", "signalfd4", "sigpending", "sigprocmask", "sigsuspend", "tgkill", "tkill",
};

constexpr Names kSwap[] = {"swapoff", "swapon"};

constexpr Names kSync[] = {
    "arm_sync_file_range", "fdatasync", "fsync", "msync", "sync", "sync_file_range", "sync_file_range2",
    "syncfs",
};

constexpr Names kSystemService[] = {
    "@aio", "@basic-io", "@default", "@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@memory",
    "@network-io", "@process", "@sandbox", "@signal", "@sync", "@time", "ioctl", "lsm_get_self_attr",
    "lsm_list_modules", "sysinfo", "uname",
};

constexpr Names kTime[] = {
    "@timer", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "gettimeofday", "nanosleep", "time",
};

constexpr Names kTimer[] = {
    "alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
};

// Sorted by name (FindGroup binary-searches).
constexpr std::array<Group, 31> kGroups = {{
    {"@aio", "Asynchronous I/O: the io_* calls and io_uring", kAio},
    {"@basic-io", "Reading, writing, seeking, duplicating and closing descriptors already open", kBasicIo},
    {"@chown", "Changing the owner or group of files", kChown},
    {"@clock", "Setting or adjusting the system clock", kClock},
    {"@cpu-emulation", "Other execution domains and CPU modes (vm86, LDT edits, personality)", kCpuEmulation},
    {"@debug", "Tracing, debugging and measuring other processes", kDebug},
    {"@default", "What nearly every program needs: exit, signal return, threads, TLS, identity and time queries",
     kDefault},
    {"@file-system", "Opening, inspecting, creating, renaming and removing files and directories", kFileSystem},
    {"@io-event", "Waiting for events on descriptors: poll, select, epoll, eventfd", kIoEvent},
    {"@ipc", "Pipes, System V and POSIX message queues, semaphores and shared memory", kIpc},
    {"@keyring", "The kernel's key management", kKeyring},
    {"@memlock", "Locking memory into RAM", kMemlock},
    {"@memory", "Mapping, protecting, advising and freeing the process's own memory", kMemory},
    {"@module", "Loading and unloading kernel modules", kModule},
    {"@mount", "Mounting, unmounting and inspecting mounts, and changing the root directory", kMount},
    {"@network-io", "Sockets: creating, connecting, sending and receiving", kNetworkIo},
    {"@obsolete", "Removed, never-implemented or superseded calls that current C libraries do not use", kObsolete},
    {"@pkey", "Memory protection keys", kPkey},
    {"@privileged", "Operations that need capabilities (CAP_SYS_ADMIN and friends) to succeed", kPrivileged},
    {"@process", "Creating, running, waiting for and describing processes, threads and namespaces", kProcess},
    {"@raw-io", "Raw access to I/O ports, PCI configuration and firmware", kRawIo},
    {"@reboot", "Rebooting and loading a new kernel", kReboot},
    {"@resources", "Changing scheduling policy, priorities, CPU affinity and resource limits", kResources},
    {"@sandbox", "Restricting oneself further: seccomp and Landlock", kSandbox},
    {"@setuid", "Changing user, group and supplementary group identities", kSetuid},
    {"@signal", "Sending, blocking, waiting for and handling signals", kSignal},
    {"@swap", "Enabling and disabling swap devices", kSwap},
    {"@sync", "Flushing file data and metadata to storage", kSync},
    {"@system-service", "A reasonable base for a service: everything but privileged, debugging and obsolete calls",
     kSystemService},
    {"@time", "Reading clocks, sleeping and timers (setting the clock is @clock)", kTime},
    {"@timer", "Interval timers, POSIX timers and timerfds", kTimer},
}};

// Nesting is shallow by construction; the bound turns an accidental cycle into an assert.
constexpr int kMaxNesting = 8;

void Expand(const Group& group, int depth, std::vector<std::string_view>& out) {
  assert(depth < kMaxNesting && "cycle in built-in groups");
  for (std::string_view member : group.members) {
    if (member.starts_with('@')) {
      const Group* nested = FindGroup(member);
      assert(nested != nullptr && "unknown nested group");
      if (nested != nullptr && depth < kMaxNesting) Expand(*nested, depth + 1, out);
    } else {
      out.push_back(member);
    }
  }
}

}  // namespace

std::span<const Group> AllGroups() { return kGroups; }

const Group* FindGroup(std::string_view name) {
  auto it = std::lower_bound(kGroups.begin(), kGroups.end(), name,
                             [](const Group& group, std::string_view key) { return group.name < key; });
  if (it == kGroups.end() || it->name != name) return nullptr;
  return &*it;
}

std::vector<std::string_view> ExpandGroup(const Group& group) {
  std::vector<std::string_view> names;
  Expand(group, 0, names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace sysfence::syscalls
