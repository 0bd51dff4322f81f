// SPDX-License-Identifier: Apache-2.0
#include "run/privileges.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>

#include "policy/parser.h"

namespace sysfence::run {
namespace {

policy::Policy Parse(std::string_view lines) {
  Diagnostics diagnostics;
  auto policy = policy::ParsePolicy("arch x86_64\n" + std::string(lines), "p.sfp", diagnostics);
  EXPECT_TRUE(policy.has_value());
  return policy.value_or(policy::Policy{});
}

TEST(RunPrivilegesTest, UnshareWordsBecomeCloneFlags) {
  EXPECT_EQ(CloneFlagsOf(Parse("")), 0u);
  EXPECT_EQ(CloneFlagsOf(Parse("unshare net user\n")), static_cast<uint64_t>(CLONE_NEWNET | CLONE_NEWUSER));
  EXPECT_EQ(CloneFlagsOf(Parse("unshare ipc uts pid mount cgroup\n")),
            static_cast<uint64_t>(CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP));
}

TEST(RunPrivilegesTest, RlimitLinesBecomeKernelLimits) {
  const auto limits = ResourceLimitsOf(Parse("rlimit NOFILE 16 32\nrlimit AS 1M unlimited\n"));
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(limits[0].name, "NOFILE");
  EXPECT_EQ(limits[0].soft, 16u);
  EXPECT_EQ(limits[0].hard, 32u);
  EXPECT_EQ(limits[1].resource, RLIMIT_AS);
  EXPECT_EQ(limits[1].soft, 1u << 20);
  EXPECT_EQ(limits[1].hard, RLIM_INFINITY);
}

TEST(RunPrivilegesTest, CapabilityBreakOnlyForDroppedCapabilities) {
  const uint64_t raw_socket[6] = {2, 3, 1, 0, 0, 0};
  EXPECT_EQ(CapabilityBreak(Parse("caps keep none\n"), Arch::kX86_64, "socket", raw_socket),
            "needs CAP_NET_RAW (socket(AF_INET, SOCK_RAW)), which 'caps keep' drops: it would fail with EPERM");
  EXPECT_EQ(CapabilityBreak(Parse("caps keep CAP_NET_RAW\n"), Arch::kX86_64, "socket", raw_socket), std::nullopt);
  EXPECT_EQ(CapabilityBreak(Parse(""), Arch::kX86_64, "socket", raw_socket), std::nullopt);
  EXPECT_EQ(CapabilityBreak(Parse("caps keep none\n"), Arch::kX86_64, "chown", {}),
            "needs CAP_CHOWN (chown (depending on its target)), which 'caps keep' drops: it may fail with EPERM");
}

TEST(RunPrivilegesTest, MonitorNotesSayWhatIsNotAppliedAndNotSeen) {
  EXPECT_TRUE(MonitorPrivilegeNotes(Parse("")).empty());
  const auto notes = MonitorPrivilegeNotes(Parse("caps keep none\nunshare net\nrlimit NOFILE 8\n"));
  ASSERT_EQ(notes.size(), 4u);
  EXPECT_EQ(notes[0], "monitor mode does not apply the policy's caps, unshare and rlimit lines");
  EXPECT_NE(notes[1].find("cap_capable) are not observed"), std::string::npos);
  EXPECT_NE(notes[2].find("unshare:"), std::string::npos);
  EXPECT_NE(notes[3].find("rlimit:"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::run
