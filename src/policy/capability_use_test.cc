// SPDX-License-Identifier: Apache-2.0
#include "policy/capability_use.h"

#include <gtest/gtest.h>

#include <array>

#include "policy/privileges.h"

namespace sysfence::policy {
namespace {

std::optional<std::string> Needs(std::string_view syscall, std::array<uint64_t, 6> args) {
  auto use = CapabilityNeededBy(Arch::kX86_64, syscall, args);
  if (!use) return std::nullopt;
  return CapabilityName(use->capability) + (use->need == CapabilityNeed::kAlways ? "" : "?") + " " + use->reason;
}

TEST(CapabilityUseTest, SocketsNeedCapNetRawOnlyWhenRawOrPacket) {
  EXPECT_EQ(Needs("socket", {2, 3, 1, 0, 0, 0}), "CAP_NET_RAW socket(AF_INET, SOCK_RAW)");
  EXPECT_EQ(Needs("socket", {10, 3 | 0x80000, 58, 0, 0, 0}), "CAP_NET_RAW socket(AF_INET6, SOCK_RAW)");
  EXPECT_EQ(Needs("socket", {17, 2, 0, 0, 0, 0}), "CAP_NET_RAW socket(AF_PACKET)");
  EXPECT_EQ(Needs("socket", {2, 2, 1, 0, 0, 0}), std::nullopt);   // ICMP datagram socket: ping_group_range
  EXPECT_EQ(Needs("socket", {16, 3, 0, 0, 0, 0}), std::nullopt);  // netlink raw: no capability
  EXPECT_EQ(CapabilityNeededBy(Arch::kX86_64, "socket", {}), std::nullopt);  // values unknown
}

TEST(CapabilityUseTest, ArgumentsDecideForDevicesNamespacesAndPriorities) {
  EXPECT_EQ(Needs("mknodat", {0, 0, 020600, 0x103, 0, 0}), "CAP_MKNOD mknodat of a device node");
  EXPECT_EQ(Needs("mknodat", {0, 0, 010600, 0, 0, 0}), std::nullopt);  // a FIFO
  EXPECT_EQ(Needs("unshare", {0x40000000, 0, 0, 0, 0, 0}), "CAP_SYS_ADMIN unshare into new namespaces");
  EXPECT_EQ(Needs("unshare", {0x50000000, 0, 0, 0, 0, 0}), std::nullopt);  // with CLONE_NEWUSER
  EXPECT_EQ(Needs("clone", {0x01200011, 0, 0, 0, 0, 0}), std::nullopt);    // fork()
  EXPECT_EQ(Needs("setpriority", {0, 0, 0xfffffffb, 0, 0, 0}), "CAP_SYS_NICE? setpriority to a negative nice value");
  EXPECT_EQ(Needs("setsockopt", {3, 1, 36, 0, 4, 0}), "CAP_NET_ADMIN setsockopt(SO_MARK)");
}

TEST(CapabilityUseTest, CallsThatAlwaysOrSometimesNeedOne) {
  EXPECT_EQ(Needs("chroot", {}), "CAP_SYS_CHROOT chroot");
  EXPECT_EQ(Needs("mount", {}), "CAP_SYS_ADMIN mount");
  EXPECT_EQ(Needs("chown", {}), "CAP_CHOWN? chown (depending on its target)");
  EXPECT_EQ(Needs("setresuid", {}), "CAP_SETUID? setresuid (to an id the process does not have)");
  EXPECT_EQ(Needs("read", {}), std::nullopt);
}

}  // namespace
}  // namespace sysfence::policy
