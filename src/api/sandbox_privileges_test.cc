// SPDX-License-Identifier: Apache-2.0
// ApplySandbox with the PolicyBuilder's caps, unshare and rlimit calls, each in a forked child and
// checked with the kernel's own word: capget(2) and prctl(2) for the capability sets, netlink
// (if_nameindex) for the network namespace's interfaces, opening files until EMFILE for
// RLIMIT_NOFILE, getpid(2) in a child for the PID namespace, mountinfo for mount propagation.
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sysfence/sysfence.h"
#include "tests/support/run_in_child.h"

namespace sysfence {
namespace {

using testsupport::RunInChild;

constexpr const char* kNeedsRoot = "dropping capabilities and new namespaces need root [feature: root]";

// The three capability sets as capget(2) reports them, 64 bits each.
struct CapSets {
  uint64_t effective = 0, permitted = 0, inheritable = 0;
};

bool CapGet(CapSets* sets) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  const auto join = [](uint32_t low, uint32_t high) { return uint64_t{low} | uint64_t{high} << 32; };
  sets->effective = join(data[0].effective, data[1].effective);
  sets->permitted = join(data[0].permitted, data[1].permitted);
  sets->inheritable = join(data[0].inheritable, data[1].inheritable);
  return true;
}

int LastCap() {
  std::ifstream file("/proc/sys/kernel/cap_last_cap");
  int last = -1;
  file >> last;
  return last;
}

// Bits of the bounding (PR_CAPBSET_READ) or ambient (PR_CAP_AMBIENT_IS_SET) set.
uint64_t BoundingSet() {
  uint64_t bits = 0;
  for (int cap = 0; cap <= LastCap(); ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) bits |= uint64_t{1} << cap;
  }
  return bits;
}
uint64_t AmbientSet() {
  uint64_t bits = 0;
  for (int cap = 0; cap <= LastCap(); ++cap) {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) bits |= uint64_t{1} << cap;
  }
  return bits;
}

// Applies `builder`'s policy (allow-all seccomp default) in a child and returns `check`'s verdict:
// 0 when the kernel shows what was asked; 90+ when building or applying failed.
int ApplyThen(PolicyBuilder builder, const std::function<int()>& check) {
  return RunInChild([&] {
    StatusOr<Policy> policy = builder.Build();
    if (!policy.ok()) {
      fprintf(stderr, "%s\n", policy.status().message().c_str());
      return 90;
    }
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    if (!report.ok()) {
      fprintf(stderr, "%s\n", report.status().message().c_str());
      return 91;
    }
    return check();
  });
}

TEST(ApplySandboxPrivileges, KeepCapabilitiesLeavesOnlyThoseInEverySet) {
  if (geteuid() != 0) GTEST_SKIP() << kNeedsRoot;
  CapSets before;
  ASSERT_TRUE(CapGet(&before));
  ASSERT_NE(before.effective & (uint64_t{1} << CAP_SYS_ADMIN), 0u) << "root holds CAP_SYS_ADMIN before";
  const uint64_t kept = uint64_t{1} << CAP_KILL | uint64_t{1} << CAP_NET_BIND_SERVICE;
  const int result = ApplyThen(
      std::move(PolicyBuilder().Default("allow").KeepCapabilities({"CAP_NET_BIND_SERVICE", "CAP_KILL"})), [&] {
        CapSets sets;
        if (!CapGet(&sets)) return 10;
        if (sets.effective != kept) return 11;
        if (sets.permitted != kept) return 12;
        if (sets.inheritable != kept) return 13;
        if (BoundingSet() != kept) return 14;
        if (AmbientSet() != kept) return 15;
        // The kernel enforces it: a dropped capability's operation fails.
        if (sethostname("x", 1) == 0 || errno != EPERM) return 16;  // CAP_SYS_ADMIN is gone
        return 0;
      });
  EXPECT_EQ(result, 0);
}

TEST(ApplySandboxPrivileges, KeepNoCapabilitiesEmptiesEverySet) {
  if (geteuid() != 0) GTEST_SKIP() << kNeedsRoot;
  const int result = ApplyThen(std::move(PolicyBuilder().Default("allow").KeepNoCapabilities()), [] {
    CapSets sets;
    if (!CapGet(&sets)) return 10;
    if (sets.effective != 0 || sets.permitted != 0 || sets.inheritable != 0) return 11;
    if (BoundingSet() != 0 || AmbientSet() != 0) return 12;
    return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 13;
  });
  EXPECT_EQ(result, 0);
}

// The interface names of the calling thread's network namespace (netlink, through if_nameindex).
std::vector<std::string> InterfaceNames() {
  std::vector<std::string> names;
  struct if_nameindex* list = if_nameindex();
  if (list == nullptr) return names;
  for (struct if_nameindex* entry = list; entry->if_index != 0; ++entry) names.emplace_back(entry->if_name);
  if_freenameindex(list);
  return names;
}

TEST(ApplySandboxPrivileges, UnshareNetLeavesOnlyLoopbackUp) {
  if (geteuid() != 0) GTEST_SKIP() << kNeedsRoot;
  ASSERT_GT(InterfaceNames().size(), 1u) << "the host has more than loopback, so the test means something";
  const int result = ApplyThen(std::move(PolicyBuilder().Default("allow").Unshare({"net"})), [] {
    if (InterfaceNames() != std::vector<std::string>{"lo"}) return 10;
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &request) != 0) return 11;
    return (request.ifr_flags & IFF_UP) != 0 ? 0 : 12;
  });
  EXPECT_EQ(result, 0);
}

TEST(ApplySandboxPrivileges, RlimitNofileStopsOpenWithEmfileAtTheSoftLimit) {
  const int result = ApplyThen(std::move(PolicyBuilder().Default("allow").Rlimit("NOFILE", 24, 48)), [] {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur != 24 || limit.rlim_max != 48) return 10;
    int highest = -1;
    for (int i = 0; i < 100; ++i) {
      const int fd = open("/dev/null", O_RDONLY);
      if (fd < 0) {
        if (errno != EMFILE) return 11;
        return highest == 23 ? 0 : 12;  // descriptors 0..23 are all in use
      }
      highest = fd;
    }
    return 13;  // the limit was not enforced
  });
  EXPECT_EQ(result, 0);
}

// The mount points of the calling process's mount namespace.
std::vector<std::string> MountPoints() {
  std::ifstream file("/proc/self/mountinfo");
  std::vector<std::string> points;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    points.push_back(point);
  }
  return points;
}

TEST(ApplySandboxPrivileges, UnsharePidMountPutsChildrenInANewPidNamespaceAndKeepsMountsInside) {
  if (geteuid() != 0) GTEST_SKIP() << kNeedsRoot;
  char pattern[] = "/tmp/sysfence-api-mnt-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::vector<std::string> before = MountPoints();
  ASSERT_EQ(std::count(before.begin(), before.end(), dir), 0);
  const int result = ApplyThen(std::move(PolicyBuilder().Default("allow").Unshare({"pid", "mount"})), [&] {
    // The caller stays in its PID namespace, and its /proc still shows it (docs/library.md).
    if (std::filesystem::read_symlink("/proc/self").string() != std::to_string(getpid())) return 10;
    // A mount made now stays in the private mount namespace.
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, nullptr) != 0) return 11;
    const pid_t child = fork();
    if (child == 0) _exit(getpid() == 1 ? 0 : 1);
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 12;
    return WEXITSTATUS(status) == 0 ? 0 : 13;  // the first child is PID 1 of the new namespace
  });
  EXPECT_EQ(result, 0);
  // Nothing mounted in the sandbox reached the host (only that mount: other tests may mount too).
  const std::vector<std::string> after = MountPoints();
  EXPECT_EQ(std::count(after.begin(), after.end(), dir), 0);
  std::filesystem::remove(dir);
}

TEST(ApplySandboxPrivileges, RefusedNamespaceNamesItsStep) {
  // Without CAP_SYS_ADMIN (dropped first in this child) unshare(CLONE_NEWNET) is refused.
  if (geteuid() != 0) GTEST_SKIP() << kNeedsRoot;
  const int result = RunInChild([] {
    StatusOr<Policy> drop = PolicyBuilder().Default("allow").KeepNoCapabilities().Build();
    if (!drop.ok() || !ApplySandbox(*drop).ok()) return 10;
    StatusOr<Policy> policy = PolicyBuilder().Default("allow").Unshare({"net"}).Build();
    if (!policy.ok()) return 11;
    StatusOr<SandboxReport> report = ApplySandbox(*policy);
    if (report.ok()) return 12;
    if (report.status().step() != "namespaces" || report.status().code() != ErrorCode::kPermission) return 13;
    return report.status().message().find("unshare(CLONE_NEWNET): Operation not permitted") != std::string::npos
               ? 0
               : 14;
  });
  EXPECT_EQ(result, 0);
}

}  // namespace
}  // namespace sysfence
