// SPDX-License-Identifier: Apache-2.0
// `sysfence landlock`: the plan for this kernel or a given ABI, exit statuses, bad input.
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "os/landlock.h"
#include "tests/support/cli_runner.h"

namespace {

using ::testing::HasSubstr;
using sysfence::testsupport::CliResult;
using sysfence::testsupport::RunSysfence;
using sysfence::testsupport::TempDir;

class LandlockCli : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = dir_.Write("app.sfp",
                         "arch x86_64\n"
                         "default errno EPERM\n"
                         "allow read write\n"
                         "fs read /usr /etc\n"
                         "fs write " + dir_.path() + "\n"
                         "net connect tcp 5432\n");
  }
  TempDir dir_;
  std::string policy_;
};

TEST_F(LandlockCli, OldAbiIsPartialAndListsWhatIsMissing) {
  const CliResult result = RunSysfence({"landlock", policy_, "--abi", "3"});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_THAT(result.out, HasSubstr("landlock: ABI 3, partially-enforced"));
  EXPECT_THAT(result.out, HasSubstr("not enforced: ioctl-dev (needs ABI 5)"));
  EXPECT_THAT(result.out, HasSubstr("not enforced: net connect tcp 5432 (needs ABI 4) at " + policy_ + ":6:1"));
  EXPECT_THAT(result.out, HasSubstr("path /usr: read-file,read-dir  [" + policy_ + ":4:1]"));
  // write pairs with truncate.
  EXPECT_THAT(result.out, HasSubstr("path " + dir_.path() + ": write-file"));
  EXPECT_THAT(result.out, HasSubstr("truncate"));
}

TEST_F(LandlockCli, NewAbiIsFullyEnforced) {
  const CliResult result = RunSysfence({"landlock", policy_, "--abi", "5"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("fully-enforced"));
  EXPECT_THAT(result.out, HasSubstr("tcp port 5432: connect-tcp"));
}

TEST_F(LandlockCli, RequireOnAnOldAbiExits3) {
  const CliResult result = RunSysfence({"landlock", policy_, "--abi", "4", "--landlock", "require"});
  EXPECT_EQ(result.exit_status, 3);
  EXPECT_THAT(result.err, HasSubstr("cannot enforce: ioctl-dev (needs ABI 5)"));
  EXPECT_THAT(result.err, HasSubstr("nothing was applied"));
}

TEST_F(LandlockCli, ThisKernel) {
  const int abi = sysfence::os::ProbeLandlockAbi();
  const CliResult result = RunSysfence({"landlock", policy_});
  if (abi == 0) {
    EXPECT_EQ(result.exit_status, 1);
    EXPECT_THAT(result.out, HasSubstr("landlock: unavailable"));
  } else {
    EXPECT_EQ(result.exit_status, abi >= 5 ? 0 : 1) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("landlock: ABI " + std::to_string(abi)));
    EXPECT_THAT(result.out, HasSubstr("this kernel; nothing applied"));
  }
}

TEST_F(LandlockCli, MissingPathNamesTheRule) {
  const std::string bad = dir_.Write("bad.sfp", "arch x86_64\nallow read\nfs read /usr\nfs read /no/such/dir\n");
  const CliResult result = RunSysfence({"landlock", bad});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.err, HasSubstr(bad + ":4:1"));
  EXPECT_THAT(result.err, HasSubstr("/no/such/dir"));
  EXPECT_TRUE(result.out.empty());
}

TEST_F(LandlockCli, BadInputExits2) {
  const std::string broken = dir_.Write("broken.sfp", "arch x86_64\nfs reed /usr\n");
  CliResult result = RunSysfence({"landlock", broken});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.err, HasSubstr("broken.sfp:2:"));
  result = RunSysfence({"landlock", policy_, "--landlock", "strict"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.err, HasSubstr("--landlock: 'strict' is not one of best-effort, require"));
  result = RunSysfence({"landlock", policy_, "--abi", "-1"});
  EXPECT_EQ(result.exit_status, 2);
}

TEST_F(LandlockCli, NoRulesIsNotRequested) {
  const std::string plain = dir_.Write("plain.sfp", "arch x86_64\nallow read\n");
  const CliResult result = RunSysfence({"landlock", plain});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.out, HasSubstr("not-requested"));
}

TEST_F(LandlockCli, HelpTeaches) {
  const CliResult result = RunSysfence({"landlock", "--help"});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.out, HasSubstr("sysfence landlock app.sfp --abi 3"));
  EXPECT_THAT(result.out, HasSubstr("Exit status"));
}

}  // namespace
