// SPDX-License-Identifier: Apache-2.0
#include "run/isolation.h"

#include <gtest/gtest.h>

namespace sysfence::run {
namespace {

TEST(IsolationTest, WallsByLandlockAbi) {
  const Isolation none = IsolationForAbi(0, "ENOSYS");
  EXPECT_FALSE(none.ptrace_wall);
  EXPECT_FALSE(none.complete());
  EXPECT_EQ(none.Summary(), "none");
  EXPECT_NE(none.MissingText().find("Landlock is unavailable (ENOSYS)"), std::string::npos);

  const Isolation abi5 = IsolationForAbi(5);
  EXPECT_TRUE(abi5.ptrace_wall);
  EXPECT_FALSE(abi5.signal_wall);
  EXPECT_FALSE(abi5.complete());
  EXPECT_EQ(abi5.Summary(), "landlock-abi-5 ptrace");
  EXPECT_NE(abi5.MissingText().find("cannot scope signals"), std::string::npos);

  const Isolation abi6 = IsolationForAbi(6);
  EXPECT_TRUE(abi6.complete());
  EXPECT_EQ(abi6.Summary(), "landlock-abi-6 ptrace+signal");
  EXPECT_EQ(abi6.MissingText(), "");
}

TEST(IsolationTest, ModeNames) {
  EXPECT_EQ(IsolationModeFromName("require"), IsolationMode::kRequire);
  EXPECT_EQ(IsolationModeFromName("best-effort"), IsolationMode::kBestEffort);
  EXPECT_FALSE(IsolationModeFromName("off").has_value());
  EXPECT_FALSE(IsolationModeFromName("").has_value());
}

}  // namespace
}  // namespace sysfence::run
