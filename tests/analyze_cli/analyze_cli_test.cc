// SPDX-License-Identifier: Apache-2.0
// `sysfence analyze` as a user runs it: a fixture program with known syscalls, the policy and JSON
// it writes, merging with a recording, and every kind of bad input (exit 2, nothing written).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"

namespace sysfence::testsupport {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

class AnalyzeCliTest : public ::testing::Test {
 protected:
  CliResult Analyze(std::vector<std::string> args) {
    args.insert(args.begin(), {"analyze", "--cache", dir_.path() + "/cache"});
    return RunSysfence(args);
  }
  TempDir dir_;
};

TEST_F(AnalyzeCliTest, FindsTheFixturesConstantNumbersAndReportsTheUnknownOne) {
  const std::string json_path = dir_.path() + "/a.json";
  const CliResult result = Analyze({"--json", json_path, ANALYZE_FIXTURE});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(ReadAll(json_path));
  EXPECT_EQ(json["kind"], "sysfence-analysis");
  std::set<std::string> names;
  for (const auto& s : json["syscalls"]) names.insert(s["name"].get<std::string>());
  EXPECT_TRUE(names.contains("personality")) << "raw syscall instruction with eax = 135";
  EXPECT_TRUE(names.contains("kcmp")) << "syscall(SYS_kcmp, ...) through libc's wrapper";
  EXPECT_TRUE(names.contains("ioprio_get")) << "in the fixture's own library";
  bool main_reported = false;
  for (const auto& u : json["unresolved"]) {
    if (u["module"] == "analyze_fixture" && u["function"].get<std::string>().starts_with("main")) main_reported = true;
  }
  EXPECT_TRUE(main_reported) << json["unresolved"].dump(1);
  EXPECT_NE(result.out.find("personality"), std::string::npos);
}

TEST_F(AnalyzeCliTest, PolicyAllowsWhatWasFoundAndSaysWhere) {
  const std::string policy = dir_.path() + "/p.sfp";
  ASSERT_EQ(Analyze({"-q", "-o", policy, ANALYZE_FIXTURE}).exit_status, 0);
  const std::string text = ReadAll(policy);
  EXPECT_NE(text.find("allow kcmp"), std::string::npos) << text;
  EXPECT_NE(text.find("analysis only: main via syscall"), std::string::npos) << text;
  EXPECT_EQ(RunSysfence({"check", policy}).exit_status, 0);
}

TEST_F(AnalyzeCliTest, OtherProgramsDoNotGetTheFixturesSyscalls) {
  const std::string json_path = dir_.path() + "/true.json";
  ASSERT_EQ(Analyze({"-q", "--json", json_path, "/bin/true"}).exit_status, 0);
  const std::string text = ReadAll(json_path);
  EXPECT_EQ(text.find("\"kcmp\""), std::string::npos);
  EXPECT_EQ(text.find("\"ioprio_get\""), std::string::npos);
  EXPECT_NE(text.find("\"exit_group\""), std::string::npos);
}

TEST_F(AnalyzeCliTest, SecondRunReadsTheCache) {
  const std::string first = dir_.path() + "/1.json", second = dir_.path() + "/2.json";
  ASSERT_EQ(Analyze({"-q", "--json", first, "/bin/true"}).exit_status, 0);
  ASSERT_EQ(Analyze({"-q", "--json", second, "/bin/true"}).exit_status, 0);
  const auto a = nlohmann::json::parse(ReadAll(first)), b = nlohmann::json::parse(ReadAll(second));
  EXPECT_FALSE(a["modules"][0]["from_cache"].get<bool>());
  EXPECT_TRUE(b["modules"][0]["from_cache"].get<bool>());
  EXPECT_EQ(a["syscalls"], b["syscalls"]) << "the cache changes nothing in the result";
  const CliResult no_cache = RunSysfence({"analyze", "-q", "--no-cache", "--json", second, "/bin/true"});
  ASSERT_EQ(no_cache.exit_status, 0);
  EXPECT_FALSE(nlohmann::json::parse(ReadAll(second))["modules"][0]["from_cache"].get<bool>());
}

TEST_F(AnalyzeCliTest, MissingLibraryGivesAPartialResultNamingIt) {
  // The fixture finds its library through RUNPATH; a copy elsewhere cannot.
  const std::string copy = dir_.path() + "/moved_fixture";
  {
    std::ofstream out(copy, std::ios::binary);
    out << ReadAll(ANALYZE_FIXTURE);
  }
  const std::string json_path = dir_.path() + "/partial.json";
  const CliResult result = Analyze({"--json", json_path, copy});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_NE(result.out.find("not analysed: libanalyze_fixture_lib.so (needed by moved_fixture): not found"),
            std::string::npos)
      << result.out;
  const auto json = nlohmann::json::parse(ReadAll(json_path));
  EXPECT_FALSE(json["complete"].get<bool>());
}

struct BadInput {
  std::string name;
  std::string bytes;
  std::string message;
};

TEST_F(AnalyzeCliTest, BadInputIsExitTwoWithAClearMessageAndNothingWritten) {
  const std::string elf = ReadAll("/bin/true");
  std::string aarch64 = elf;
  aarch64[18] = static_cast<char>(183);  // e_machine = EM_AARCH64
  aarch64[19] = 0;
  std::string i386 = elf;
  i386[4] = 1;  // ELFCLASS32
  const std::vector<BadInput> inputs = {
      {"text", "#!/bin/sh\necho hi\n", "not an ELF file"},
      {"empty", "", "not an ELF file"},
      {"truncated_header", elf.substr(0, 40), "truncated ELF header"},
      {"truncated_sections", elf.substr(0, elf.size() / 2), "past the end of the file (truncated?)"},
      {"aarch64", aarch64, "an aarch64 file; sysfence analyze reads x86_64 code only so far"},
      {"i386", i386, "a 32-bit ELF file"},
  };
  for (const BadInput& input : inputs) {
    const std::string path = dir_.path() + "/" + input.name;
    {
      std::ofstream out(path, std::ios::binary);
      out << input.bytes;
    }
    const std::string policy = dir_.path() + "/never.sfp";
    const CliResult result = Analyze({"-o", policy, path});
    EXPECT_EQ(result.exit_status, 2) << input.name << ": " << result.err;
    EXPECT_NE(result.err.find(path + ":"), std::string::npos) << input.name << ": " << result.err;
    EXPECT_NE(result.err.find(input.message), std::string::npos) << input.name << ": " << result.err;
    EXPECT_FALSE(Exists(policy)) << input.name;
  }
  EXPECT_EQ(Analyze({dir_.path() + "/no-such-file"}).exit_status, 2);
  const CliResult arch = Analyze({"--arch", "aarch64", "/bin/true"});
  EXPECT_EQ(arch.exit_status, 2);
  EXPECT_NE(arch.err.find("only x86_64"), std::string::npos) << arch.err;
}

TEST_F(AnalyzeCliTest, StrippedProgramsAreAnalysedThroughTheirUnwindTables) {
  // Debian strips its programs: only .dynsym is left, and functions come from .eh_frame.
  const std::string json_path = dir_.path() + "/gzip.json";
  ASSERT_EQ(Analyze({"-q", "--json", json_path, "/usr/bin/gzip"}).exit_status, 0);
  const auto json = nlohmann::json::parse(ReadAll(json_path));
  EXPECT_GT(json["modules"][0]["reachable"].get<int>(), 20);
  std::set<std::string> names;
  for (const auto& s : json["syscalls"]) names.insert(s["name"].get<std::string>());
  for (const char* expected : {"read", "write", "openat", "close", "unlink", "fchmod"}) {
    EXPECT_TRUE(names.contains(expected)) << expected;
  }
}

TEST_F(AnalyzeCliTest, MergeOfAnAnalysisWithARecordingMarksWhatWasSeen) {
  const std::string analysis = dir_.path() + "/a.json", recording = dir_.path() + "/r.json";
  ASSERT_EQ(Analyze({"-q", "--json", analysis, "/bin/true"}).exit_status, 0);
  const CliResult recorded =
      RunSysfence({"record", "--backend", "unotify", "-q", "-o", dir_.path() + "/r.sfp", "--json", recording, "--", "/bin/true"});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  const std::string policy = dir_.path() + "/m.sfp", merged = dir_.path() + "/m.json";
  const CliResult result = RunSysfence({"merge", "-o", policy, "--json", merged, analysis, recording});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.err.find("reachable but never made"), std::string::npos) << result.err;
  const std::string text = ReadAll(policy);
  EXPECT_NE(text.find("# seen: "), std::string::npos) << text;
  EXPECT_NE(text.find("analysis only: "), std::string::npos) << text;
  const auto json = nlohmann::json::parse(ReadAll(merged));
  EXPECT_FALSE(json["analysis"]["analysis_only"].empty());
  EXPECT_FALSE(json["analysis"]["seen_and_found"].empty());
  EXPECT_TRUE(json["analysis"]["recorded_only"].empty()) << json["analysis"].dump();
}

TEST_F(AnalyzeCliTest, RecordAnalyzeRefusesAProgramItCannotReadBeforeRunningIt) {
  const std::string script = dir_.Write("script.sh", "#!/bin/sh\ntouch " + dir_.path() + "/ran\n");
  chmod(script.c_str(), 0755);
  const CliResult result = RunSysfence({"record", "--analyze", "--backend", "unotify", "-q", "--", script});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("not an ELF file"), std::string::npos) << result.err;
  EXPECT_FALSE(Exists(dir_.path() + "/ran"));
}

}  // namespace
}  // namespace sysfence::testsupport
