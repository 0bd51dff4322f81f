// SPDX-License-Identifier: Apache-2.0
// `sysfence report` through the built binary: what it accepts, and one clear error (exit 2, nothing
// written) for each kind of bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "tests/support/cli_runner.h"

namespace sysfence {
namespace {

using testsupport::RunSysfence;
using testsupport::TempDir;

constexpr const char* kRecording =
    R"({"sysfence_profile":1,"backend":"ptrace","arch":"x86_64","command":["true"],)"
    R"("syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":3}]})";

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

void ExpectRefused(const std::vector<std::string>& inputs, const std::string& out, const std::string& message) {
  std::vector<std::string> args = {"report"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  args.insert(args.end(), {"-o", out});
  const auto result = RunSysfence(args);
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
  EXPECT_FALSE(Exists(out)) << "a refused report must write nothing";
}

TEST(ReportCliTest, WritesOnePageFromARecordingAnOldOneToo) {
  TempDir dir;
  const std::string out = dir.path() + "/r.html";
  const auto result = RunSysfence({"report", dir.Write("old.json", kRecording), "-o", out});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  ASSERT_TRUE(Exists(out));
  const auto to_stdout = RunSysfence({"report", dir.path() + "/old.json", "-o", "-"});
  EXPECT_EQ(to_stdout.exit_status, 0);
  EXPECT_EQ(to_stdout.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(to_stdout.out.find("\"total_calls\":3"), std::string::npos);
}

TEST(ReportCliTest, BadInputIsOneErrorAndNothingWritten) {
  TempDir dir;
  const std::string out = dir.path() + "/r.html";
  const std::string good = dir.Write("good.json", kRecording);
  ExpectRefused({good, good, good}, out, "a report shows one recording, or compares two (3 given)");
  const std::string policy = dir.Write("p.sfp", "arch x86_64\nallow read\n");
  ExpectRefused({policy, policy}, out, "a report shows one policy");
  ExpectRefused({dir.Write("bad.sfp", "arch x86_64\nallow reed\n")}, out, "bad.sfp:2:7: error");
  ExpectRefused({dir.Write("bad.json", R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[],"timeline":{"interval_ns":1,"calls":[-1]}})")},
                out, "bad.json: $.timeline.calls[0]: expected a non-negative integer");
  ExpectRefused({dir.Write("ev.jsonl", "{\"type\":\"start\",\"schema\":2}\n{\"type\":\"syscall\",\"rule\":\"x\"}\n")}, out,
                "ev.jsonl:2: $.time: expected a string");
  ExpectRefused({dir.path() + "/missing.json"}, out, "missing.json");
  ExpectRefused({good}, dir.path() + "/no/such/folder/r.html", "does not exist");
  const auto no_output = RunSysfence({"report", good});
  EXPECT_EQ(no_output.exit_status, 2);
  EXPECT_NE(no_output.err.find("--output is required"), std::string::npos) << no_output.err;
}

TEST(ReportCliTest, HelpTeachesTheInputsAndAnExample) {
  const auto help = RunSysfence({"report", "--help"});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.out.find("sysfence report run.json -o report.html"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("Content-Security-Policy"), std::string::npos);
}

}  // namespace
}  // namespace sysfence
