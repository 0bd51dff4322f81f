// SPDX-License-Identifier: Apache-2.0
#include "os/features.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <fstream>

namespace sysfence::os {
namespace {

TEST(FeaturesTest, ProbesWithoutTouchingTheCaller) {
  const Features features = ProbeFeatures();
  EXPECT_FALSE(features.kernel_release.empty());
  // The probes that install filters ran in children: this process is still unfiltered.
  EXPECT_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
  EXPECT_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
  EXPECT_EQ(features.actions.size(), 8u);
  EXPECT_EQ(features.filter_flags.size(), 6u);
}

TEST(FeaturesTest, AgreesWithTheKernelsOwnLists) {
  const Features features = ProbeFeatures();
  if (!features.seccomp_filter) GTEST_SKIP() << "kernel without seccomp filters [feature: seccomp-filter]";
  // /proc/sys/kernel/seccomp/actions_avail lists what SECCOMP_GET_ACTION_AVAIL reports.
  std::ifstream avail("/proc/sys/kernel/seccomp/actions_avail");
  std::string list;
  if (!std::getline(avail, list)) GTEST_SKIP() << "no /proc/sys/kernel/seccomp/actions_avail [feature: seccomp-filter]";
  list = " " + list + " ";
  EXPECT_EQ(features.HasAction(ActionKind::kKillProcess), list.find(" kill_process ") != std::string::npos);
  EXPECT_EQ(features.HasAction(ActionKind::kNotify), list.find(" user_notif ") != std::string::npos);
  EXPECT_EQ(features.HasAction(ActionKind::kLog), list.find(" log ") != std::string::npos);
  EXPECT_TRUE(features.HasAction(ActionKind::kAllow));
  EXPECT_TRUE(features.HasAction(ActionKind::kErrno));
  EXPECT_TRUE(features.HasFilterFlag("TSYNC"));
  EXPECT_FALSE(features.HasFilterFlag("NO_SUCH_FLAG"));
  if (features.HasAction(ActionKind::kNotify)) {
    ASSERT_TRUE(features.notif_sizes.has_value());
    EXPECT_EQ(features.notif_sizes->data, 64);
    EXPECT_GE(features.notif_sizes->notif, 80);
  }
}

TEST(FeaturesTest, ThisKernelIsNew) {
  // CI runs on Linux 6.18: everything sysfence uses must be present there.
  const Features features = ProbeFeatures();
  int major = 0, minor = 0;
  if (std::sscanf(features.kernel_release.c_str(), "%d.%d", &major, &minor) != 2 || major * 100 + minor < 606) {
    GTEST_SKIP() << "kernel " << features.kernel_release << " is older than 6.6 [feature: kernel-6.6]";
  }
  EXPECT_TRUE(features.seccomp_filter);
  EXPECT_TRUE(features.HasFilterFlag("WAIT_KILLABLE_RECV"));
  EXPECT_TRUE(features.notif_fd_sync_wake_up);
}

}  // namespace
}  // namespace sysfence::os
