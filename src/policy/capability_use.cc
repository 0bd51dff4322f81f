// SPDX-License-Identifier: Apache-2.0
#include "policy/capability_use.h"

#include <array>

#include "policy/arguments.h"
#include "policy/privileges.h"

namespace sysfence::policy {
namespace {

// Linux constants the table tests (the same on every ABI sysfence knows).
constexpr uint64_t kAfInet = 2, kAfInet6 = 10, kAfPacket = 17;
constexpr uint64_t kSockRaw = 3, kSockTypeMask = 0xf;
constexpr uint64_t kSIfmt = 0170000, kSIfchr = 0020000, kSIfblk = 0060000;
constexpr uint64_t kCloneNamespaces = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x20000000 |
                                      0x40000000 | 0x00000080;  // NEWNS UTS IPC CGROUP PID NET TIME
constexpr uint64_t kCloneNewUser = 0x10000000;
constexpr uint64_t kSchedFifo = 1, kSchedRr = 2;
constexpr uint64_t kSolSocket = 1, kSoMark = 36, kSolIp = 0, kIpTransparent = 19;

int Cap(std::string_view name) { return CapabilityFromName(name).value_or(0); }

// Calls that need a capability whatever their arguments.
struct Unconditional {
  std::string_view syscall;
  std::string_view capability;
  CapabilityNeed need;
};

constexpr std::array<Unconditional, 46> kUnconditional = {{
    {"chroot", "CAP_SYS_CHROOT", CapabilityNeed::kAlways},
    {"mount", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"umount2", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"umount", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"pivot_root", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"move_mount", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"fsopen", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"fsmount", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"fspick", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"mount_setattr", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"sethostname", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"setdomainname", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"swapon", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"swapoff", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"quotactl", "CAP_SYS_ADMIN", CapabilityNeed::kSometimes},
    {"fanotify_init", "CAP_SYS_ADMIN", CapabilityNeed::kSometimes},
    {"setns", "CAP_SYS_ADMIN", CapabilityNeed::kAlways},
    {"vhangup", "CAP_SYS_TTY_CONFIG", CapabilityNeed::kAlways},
    {"reboot", "CAP_SYS_BOOT", CapabilityNeed::kAlways},
    {"kexec_load", "CAP_SYS_BOOT", CapabilityNeed::kAlways},
    {"kexec_file_load", "CAP_SYS_BOOT", CapabilityNeed::kAlways},
    {"init_module", "CAP_SYS_MODULE", CapabilityNeed::kAlways},
    {"finit_module", "CAP_SYS_MODULE", CapabilityNeed::kAlways},
    {"delete_module", "CAP_SYS_MODULE", CapabilityNeed::kAlways},
    {"iopl", "CAP_SYS_RAWIO", CapabilityNeed::kAlways},
    {"ioperm", "CAP_SYS_RAWIO", CapabilityNeed::kAlways},
    {"settimeofday", "CAP_SYS_TIME", CapabilityNeed::kAlways},
    {"stime", "CAP_SYS_TIME", CapabilityNeed::kAlways},
    {"clock_settime", "CAP_SYS_TIME", CapabilityNeed::kAlways},
    {"acct", "CAP_SYS_PACCT", CapabilityNeed::kAlways},
    {"syslog", "CAP_SYSLOG", CapabilityNeed::kSometimes},
    {"bpf", "CAP_BPF", CapabilityNeed::kSometimes},
    {"perf_event_open", "CAP_PERFMON", CapabilityNeed::kSometimes},
    {"open_by_handle_at", "CAP_DAC_READ_SEARCH", CapabilityNeed::kAlways},
    {"chown", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"fchown", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"lchown", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"fchownat", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"chown32", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"fchown32", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"lchown32", "CAP_CHOWN", CapabilityNeed::kSometimes},
    {"ptrace", "CAP_SYS_PTRACE", CapabilityNeed::kSometimes},
    {"process_vm_readv", "CAP_SYS_PTRACE", CapabilityNeed::kSometimes},
    {"process_vm_writev", "CAP_SYS_PTRACE", CapabilityNeed::kSometimes},
    {"mlockall", "CAP_IPC_LOCK", CapabilityNeed::kSometimes},
    {"capset", "CAP_SETPCAP", CapabilityNeed::kSometimes},
}};

// set*uid/set*gid: changing identity beyond the process's own ids needs CAP_SETUID/CAP_SETGID.
std::optional<std::string_view> IdentityCapability(std::string_view syscall) {
  static constexpr std::string_view kUid[] = {"setuid", "setreuid", "setresuid", "setfsuid",
                                              "setuid32", "setreuid32", "setresuid32", "setfsuid32"};
  static constexpr std::string_view kGid[] = {"setgid", "setregid", "setresgid", "setfsgid", "setgroups",
                                              "setgid32", "setregid32", "setresgid32", "setfsgid32", "setgroups32"};
  for (std::string_view name : kUid) {
    if (name == syscall) return "CAP_SETUID";
  }
  for (std::string_view name : kGid) {
    if (name == syscall) return "CAP_SETGID";
  }
  return std::nullopt;
}

// The value of argument `name` of `syscall` on `arch`, when `args` holds values.
std::optional<uint64_t> Arg(Arch arch, std::string_view syscall, std::span<const uint64_t> args, std::string_view name) {
  if (args.size() < 6) return std::nullopt;
  std::optional<int> position = NamedArgumentPosition(name, arch, syscall);
  if (!position) return std::nullopt;
  return args[static_cast<size_t>(*position)];
}

CapabilityUse Use(std::string_view capability, CapabilityNeed need, std::string reason) {
  return CapabilityUse{Cap(capability), need, std::move(reason)};
}

// Calls whose need depends on their arguments.
std::optional<CapabilityUse> ByArguments(Arch arch, std::string_view syscall, std::span<const uint64_t> args) {
  const auto arg = [&](std::string_view name) { return Arg(arch, syscall, args, name); };
  if (syscall == "socket") {
    const auto family = arg("family");
    const auto type = arg("type");
    if (family == kAfPacket) return Use("CAP_NET_RAW", CapabilityNeed::kAlways, "socket(AF_PACKET)");
    if ((family == kAfInet || family == kAfInet6) && type && (*type & kSockTypeMask) == kSockRaw) {
      return Use("CAP_NET_RAW", CapabilityNeed::kAlways,
                 std::string("socket(") + (family == kAfInet ? "AF_INET" : "AF_INET6") + ", SOCK_RAW)");
    }
    return std::nullopt;
  }
  if (syscall == "mknod" || syscall == "mknodat") {
    const auto mode = arg("mode");
    if (mode && ((*mode & kSIfmt) == kSIfchr || (*mode & kSIfmt) == kSIfblk)) {
      return Use("CAP_MKNOD", CapabilityNeed::kAlways, std::string(syscall) + " of a device node");
    }
    return std::nullopt;
  }
  if (syscall == "unshare" || syscall == "clone") {
    const auto flags = arg(syscall == "clone" ? "clone_flags" : "unshare_flags");
    if (flags && (*flags & kCloneNamespaces) != 0 && (*flags & kCloneNewUser) == 0) {
      return Use("CAP_SYS_ADMIN", CapabilityNeed::kAlways, std::string(syscall) + " into new namespaces");
    }
    return std::nullopt;
  }
  if (syscall == "setpriority") {
    const auto nice = arg("niceval");
    if (nice && static_cast<int32_t>(*nice) < 0) {
      return Use("CAP_SYS_NICE", CapabilityNeed::kSometimes, "setpriority to a negative nice value");
    }
    return std::nullopt;
  }
  if (syscall == "sched_setscheduler") {
    const auto policy = arg("policy");
    if (policy && ((*policy & 0xff) == kSchedFifo || (*policy & 0xff) == kSchedRr)) {
      return Use("CAP_SYS_NICE", CapabilityNeed::kSometimes, "sched_setscheduler to a real-time policy");
    }
    return std::nullopt;
  }
  if (syscall == "setsockopt") {
    const auto level = arg("level");
    const auto option = arg("optname");
    if ((level == kSolSocket && option == kSoMark) || (level == kSolIp && option == kIpTransparent)) {
      return Use("CAP_NET_ADMIN", CapabilityNeed::kAlways,
                 level == kSolSocket ? "setsockopt(SO_MARK)" : "setsockopt(IP_TRANSPARENT)");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<CapabilityUse> CapabilityNeededBy(Arch arch, std::string_view syscall, std::span<const uint64_t> args) {
  for (const Unconditional& entry : kUnconditional) {
    if (entry.syscall == syscall) {
      std::string reason(syscall);
      if (entry.need == CapabilityNeed::kSometimes) reason += " (depending on its target)";
      return Use(entry.capability, entry.need, std::move(reason));
    }
  }
  if (auto identity = IdentityCapability(syscall)) {
    return Use(*identity, CapabilityNeed::kSometimes, std::string(syscall) + " (to an id the process does not have)");
  }
  return ByArguments(arch, syscall, args);
}

}  // namespace sysfence::policy
