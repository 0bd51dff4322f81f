// SPDX-License-Identifier: Apache-2.0
#include "os/privileges.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "os/unique_fd.h"

namespace sysfence::os {
namespace {

constexpr std::pair<uint64_t, std::string_view> kCloneFlags[] = {
    {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWNET, "CLONE_NEWNET"},       {CLONE_NEWIPC, "CLONE_NEWIPC"},
    {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWPID, "CLONE_NEWPID"},       {CLONE_NEWNS, "CLONE_NEWNS"},
    {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
};

// "CAP_NET_RAW" (libcap names capabilities in lower case).
std::string CapName(int cap) {
  char* name = cap_to_name(static_cast<cap_value_t>(cap));
  std::string out = name != nullptr ? name : "cap_" + std::to_string(cap);
  cap_free(name);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<void> WriteProcFile(const char* path, const std::string& text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd.valid() || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int error = errno;
    return MakeError(error == EPERM || error == EACCES ? ErrorCode::kPermission : ErrorCode::kOs,
                     fmt::format("cannot write '{}' to {}: {}", text.substr(0, text.find('\n')), path,
                                 std::strerror(error)));
  }
  return Ok();
}

Result<void> WriteIdMaps(const IdentityMap& identity) {
  if (identity.privileged) {
    // A privileged caller maps every id to itself, so set-uid programs and root inside keep working.
    if (Result<void> uid = WriteProcFile("/proc/self/uid_map", "0 0 4294967295\n"); !uid.ok()) return uid;
    return WriteProcFile("/proc/self/gid_map", "0 0 4294967295\n");
  }
  // An unprivileged caller may map its own ids only, and only after giving up setgroups(2).
  if (Result<void> deny = WriteProcFile("/proc/self/setgroups", "deny"); !deny.ok()) return deny;
  if (Result<void> uid = WriteProcFile("/proc/self/uid_map", fmt::format("{0} {0} 1\n", identity.uid)); !uid.ok()) {
    return uid;
  }
  return WriteProcFile("/proc/self/gid_map", fmt::format("{0} {0} 1\n", identity.gid));
}

Result<void> RaiseLoopback() {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (!fd.valid() || ioctl(fd.get(), SIOCGIFFLAGS, &request) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot read the loopback interface: {}", std::strerror(errno)));
  }
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (ioctl(fd.get(), SIOCSIFFLAGS, &request) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot raise the loopback interface: {}", std::strerror(errno)));
  }
  return Ok();
}

// Mounts a proc instance of this process's PID namespace over /proc (flags as the host's /proc
// has them), hiding the host's one in this mount namespace only.
Result<void> MountOwnProc() {
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0) return Ok();
  const int error = errno;
  std::string reason = std::strerror(error);
  if (error == EPERM) {
    reason += " (in a new user namespace the kernel allows a proc mount only where the existing /proc is "
              "fully visible: not where parts of it are covered by other mounts, as in many containers)";
  }
  return MakeError(error == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                   fmt::format("cannot mount a fresh /proc for the new PID namespace: {}", reason));
}

}  // namespace

std::string CloneFlagsText(uint64_t flags) {
  std::string out;
  for (const auto& [flag, name] : kCloneFlags) {
    if ((flags & flag) == 0) continue;
    if (!out.empty()) out += '|';
    out += name;
  }
  return out.empty() ? "0" : out;
}

Error NamespaceError(uint64_t flags, int error) {
  std::string reason = std::strerror(error);
  ErrorCode code = ErrorCode::kOs;
  if (error == EPERM) {
    code = ErrorCode::kPermission;
    reason += (flags & CLONE_NEWUSER) != 0
                  ? " (the kernel refuses unprivileged user namespaces here, or this process is in a chroot or"
                    " a namespace that forbids them)"
                  : " (new namespaces need CAP_SYS_ADMIN: run as root, or add 'user' to the unshare line)";
  } else if (error == ENOSPC || error == EUSERS) {
    code = ErrorCode::kUnsupported;
    reason += " (the namespace limit is reached: see /proc/sys/user/max_*_namespaces; "
              "user.max_user_namespaces=0 disables user namespaces)";
  } else if (error == EINVAL) {
    code = ErrorCode::kUnsupported;
    reason += " (this kernel lacks one of the namespace kinds)";
  }
  return MakeError(code, reason);
}

IdentityMap CurrentIdentity() {
  IdentityMap identity;
  identity.uid = geteuid();
  identity.gid = getegid();
  cap_t caps = cap_get_proc();
  cap_flag_value_t setuid = CAP_CLEAR, setgid = CAP_CLEAR;
  if (caps != nullptr) {
    cap_get_flag(caps, CAP_SETUID, CAP_EFFECTIVE, &setuid);
    cap_get_flag(caps, CAP_SETGID, CAP_EFFECTIVE, &setgid);
    cap_free(caps);
  }
  identity.privileged = setuid == CAP_SET && setgid == CAP_SET;
  return identity;
}

Result<void> SetUpNamespaces(uint64_t flags, const IdentityMap& identity) {
  if ((flags & CLONE_NEWUSER) != 0) {
    if (Result<void> maps = WriteIdMaps(identity); !maps.ok()) return maps;
  }
  if ((flags & CLONE_NEWNS) != 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot make the new mount namespace private: {}", std::strerror(errno)));
  }
  // After the tree is private: the new proc stays in this mount namespace.
  if ((flags & CLONE_NEWPID) != 0 && (flags & CLONE_NEWNS) != 0) {
    if (Result<void> proc = MountOwnProc(); !proc.ok()) return proc;
  }
  if ((flags & CLONE_NEWNET) != 0) return RaiseLoopback();
  return Ok();
}

Result<void> ApplyResourceLimits(std::span<const ResourceLimit> limits) {
  for (const ResourceLimit& limit : limits) {
    rlimit64 current{};
    prlimit64(0, static_cast<__rlimit_resource>(limit.resource), nullptr, &current);
    const rlimit64 wanted{limit.soft, limit.hard};
    if (prlimit64(0, static_cast<__rlimit_resource>(limit.resource), &wanted, nullptr) == 0) continue;
    const int error = errno;
    std::string reason = std::strerror(error);
    if (error == EPERM && limit.hard > current.rlim_max) {
      reason += fmt::format(" (raising the hard limit above {} needs CAP_SYS_RESOURCE{})",
                            current.rlim_max == RLIM64_INFINITY ? "unlimited" : std::to_string(current.rlim_max),
                            limit.resource == RLIMIT_NOFILE ? ", and NOFILE may not pass /proc/sys/fs/nr_open" : "");
    }
    return MakeError(error == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                     fmt::format("cannot set rlimit {}: {}", limit.name, reason));
  }
  return Ok();
}

int LastKernelCapability() { return static_cast<int>(cap_max_bits()) - 1; }

Result<void> KeepOnlyCapabilities(std::span<const int> keep) {
  const auto kept = [&](int cap) { return std::find(keep.begin(), keep.end(), cap) != keep.end(); };
  cap_t current = cap_get_proc();
  if (current == nullptr) return MakeError(ErrorCode::kOs, fmt::format("cap_get_proc: {}", std::strerror(errno)));
  for (int cap : keep) {
    cap_flag_value_t held = CAP_CLEAR;
    const bool known = cap <= LastKernelCapability() &&
                       cap_get_flag(current, static_cast<cap_value_t>(cap), CAP_PERMITTED, &held) == 0;
    if (!known || held != CAP_SET) {
      cap_free(current);
      return MakeError(ErrorCode::kPermission,
                       fmt::format("cannot keep {}: this process does not hold it{}", CapName(cap),
                                   known ? " (run as root, or add 'user' to the unshare line)"
                                         : " (this kernel does not know it)"));
    }
  }
  cap_free(current);
  for (int cap = 0; cap <= LastKernelCapability(); ++cap) {
    if (kept(cap) || cap_get_bound(static_cast<cap_value_t>(cap)) != 1) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0) {
      const int error = errno;
      return MakeError(error == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                       fmt::format("cannot drop {} from the bounding set: {}{}", CapName(cap), std::strerror(error),
                                   error == EPERM ? " (dropping capabilities needs CAP_SETPCAP: run as root, or add "
                                                    "'user' to the unshare line)"
                                                  : ""));
    }
  }
  cap_t wanted = cap_init();
  std::vector<cap_value_t> values(keep.begin(), keep.end());
  for (cap_flag_t flag : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE}) {
    if (!values.empty()) cap_set_flag(wanted, flag, static_cast<int>(values.size()), values.data(), CAP_SET);
  }
  const int set = cap_set_proc(wanted);
  const int set_error = errno;
  cap_free(wanted);
  if (set != 0) return MakeError(ErrorCode::kOs, fmt::format("cap_set_proc: {}", std::strerror(set_error)));
  if (!CAP_AMBIENT_SUPPORTED()) return Ok();
  if (cap_reset_ambient() != 0) return MakeError(ErrorCode::kOs, fmt::format("cap_reset_ambient: {}", std::strerror(errno)));
  for (cap_value_t cap : values) {
    if (cap_set_ambient(cap, CAP_SET) != 0) {
      return MakeError(ErrorCode::kOs, fmt::format("cannot raise {} in the ambient set: {}", CapName(cap), std::strerror(errno)));
    }
  }
  return Ok();
}

}  // namespace sysfence::os
