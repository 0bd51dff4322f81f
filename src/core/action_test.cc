// SPDX-License-Identifier: Apache-2.0
#include "core/action.h"

#include <gtest/gtest.h>

#include "core/errno_names.h"

namespace sysfence {
namespace {

TEST(ActionTest, EncodesLikeTheKernel) {
  EXPECT_EQ(Action::Allow().ToSeccompRet(), 0x7fff0000u);
  EXPECT_EQ(Action::Errno(1).ToSeccompRet(), 0x00050001u);
  EXPECT_EQ(Action::KillProcess().ToSeccompRet(), 0x80000000u);
  EXPECT_EQ(Action::KillThread().ToSeccompRet(), 0u);
  EXPECT_EQ(Action::Notify().ToSeccompRet(), 0x7fc00000u);
  EXPECT_EQ(Action::Log().ToSeccompRet(), 0x7ffc0000u);
  EXPECT_EQ(Action::Trace(7).ToSeccompRet(), 0x7ff00007u);
  EXPECT_EQ(Action::Trap(3).ToSeccompRet(), 0x00030003u);
}

TEST(ActionTest, DecodesEveryEncoding) {
  for (Action action : {Action::Allow(), Action::Log(), Action::Errno(38), Action::KillProcess(),
                        Action::KillThread(), Action::Trap(2), Action::Notify(), Action::Trace(9)}) {
    EXPECT_EQ(Action::FromSeccompRet(action.ToSeccompRet()), action) << action.ToString();
  }
}

TEST(ActionTest, UnknownActionBitsMeanKillAndErrnoIsClamped) {
  EXPECT_EQ(Action::FromSeccompRet(0x12340000u), Action::KillProcess());
  EXPECT_EQ(Action::FromSeccompRet(0x0005ffffu), Action::Errno(4095));
}

TEST(ActionTest, PrintsNames) {
  EXPECT_EQ(Action::Errno(1).ToString(), "errno(EPERM)");
  EXPECT_EQ(Action::Errno(1).ToPolicyText(), "errno EPERM");
  EXPECT_EQ(Action::Errno(4000).ToString(), "errno(4000)");
  EXPECT_EQ(Action::KillProcess().ToString(), "kill");
  EXPECT_EQ(Action::KillThread().ToPolicyText(), "kill-thread");
  EXPECT_EQ(ActionKindFromKeyword("kill-process"), ActionKind::kKillProcess);
  EXPECT_FALSE(ActionKindFromKeyword("permit").has_value());
}

TEST(ErrnoNamesTest, KnowsLinuxValues) {
  EXPECT_EQ(ErrnoFromName("EPERM"), 1);
  EXPECT_EQ(ErrnoFromName("ENOSYS"), 38);
  EXPECT_EQ(ErrnoFromName("EWOULDBLOCK"), 11);
  EXPECT_EQ(ErrnoName(11), "EAGAIN");
  EXPECT_EQ(ErrnoName(95), "EOPNOTSUPP");
  EXPECT_EQ(ErrnoName(4000), "");
  EXPECT_FALSE(ErrnoFromName("EBOGUS").has_value());
}

}  // namespace
}  // namespace sysfence
