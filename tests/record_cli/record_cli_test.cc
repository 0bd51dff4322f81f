// SPDX-License-Identifier: Apache-2.0
// `sysfence record` options that change how the program runs: the ptrace backend pins a launched
// program and its recorder to one CPU unless --no-pin, and contradicting flags start nothing.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"

namespace sysfence::testsupport {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number of CPUs this process may run on.
int AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
  return CPU_COUNT(&set);
}

class RecordCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (AllowedCpus() < 2) GTEST_SKIP() << "pinning is only visible with two CPUs or more [feature: two-cpus]";
  }

  // Records `nproc > FILE` with the ptrace backend and `extra` flags; returns what nproc printed.
  std::string NprocUnderPtrace(const std::vector<std::string>& extra) {
    const std::string out = dir_.path() + "/nproc.txt";
    std::vector<std::string> args = {"record", "--backend", "ptrace", "-q", "-o", dir_.path() + "/p.sfp"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--", "/bin/sh", "-c", "nproc > " + out});
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    return ReadAll(out);
  }

  TempDir dir_;
};

TEST_F(RecordCliTest, PtraceLaunchesRunOnOneCpuByDefault) {
  EXPECT_EQ(NprocUnderPtrace({}), "1\n");
}

TEST_F(RecordCliTest, NoPinLeavesTheProgramItsCpus) {
  EXPECT_EQ(NprocUnderPtrace({"--no-pin"}), std::to_string(AllowedCpus()) + "\n");
}

TEST_F(RecordCliTest, PinAndNoPinTogetherAreBadInputAndStartNothing) {
  const std::string marker = dir_.path() + "/started";
  const CliResult result = RunSysfence({"record", "--backend", "ptrace", "--pin", "--no-pin", "-o",
                                        dir_.path() + "/p.sfp", "--", "/bin/touch", marker});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.err.find("--pin and --no-pin"), std::string::npos) << result.err;
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the program ran";
}

}  // namespace
}  // namespace sysfence::testsupport
