// SPDX-License-Identifier: Apache-2.0
// Whole-program analysis on the fixture (tests/analyze_cli/fixture) and Debian programs, and the
// library cache's round trip.
#include "analyze/program_analysis.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analyze/analysis_json.h"
#include "analyze/module_cache.h"
#include "analyze/recording_union.h"
#include "tests/support/cli_runner.h"

namespace sysfence::analyze {
namespace {

bool Has(const Analysis& a, const std::string& name) {
  return std::any_of(a.syscalls.begin(), a.syscalls.end(), [&](const FoundSyscall& s) { return s.name == name; });
}

TEST(ProgramAnalysisTest, FollowsThePltIntoLibrariesAndTheWrapperArgument) {
  auto analysis = AnalyzeProgram(ANALYZE_FIXTURE, {});
  ASSERT_TRUE(analysis.ok()) << analysis.error().message;
  EXPECT_TRUE(analysis->complete());
  EXPECT_TRUE(Has(*analysis, "personality"));
  EXPECT_TRUE(Has(*analysis, "kcmp"));
  EXPECT_TRUE(Has(*analysis, "ioprio_get"));
  EXPECT_TRUE(Has(*analysis, "exit_group"));
  const auto kcmp = std::find_if(analysis->syscalls.begin(), analysis->syscalls.end(),
                                 [](const FoundSyscall& s) { return s.name == "kcmp"; });
  EXPECT_EQ(kcmp->origins[0].module, "analyze_fixture");
  EXPECT_EQ(kcmp->origins[0].function, "main via syscall");
  EXPECT_GE(analysis->modules.size(), 3u);  // program, its library, libc, the loader
}

TEST(ProgramAnalysisTest, ALibraryAloneCountsEveryExportAsCalled) {
  auto analysis = AnalyzeProgram("/lib/x86_64-linux-gnu/libc.so.6", {});
  ASSERT_TRUE(analysis.ok());
  EXPECT_TRUE(analysis->library_mode);
  EXPECT_GT(analysis->syscalls.size(), 150u);
}

TEST(ModuleCacheTest, StoredGraphsReadBackTheSame) {
  testsupport::TempDir dir;
  auto elf = ElfFile::Load("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_TRUE(elf.ok());
  auto graph = BuildModuleGraph(*elf);
  ASSERT_TRUE(graph.ok());
  ASSERT_TRUE(StoreCachedGraph(dir.path(), *graph).ok());
  auto loaded = LoadCachedGraph(dir.path(), elf->build_id(), elf->path());
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(GraphToJson(*loaded), GraphToJson(*graph));
  EXPECT_FALSE(LoadCachedGraph(dir.path(), "00", elf->path()).has_value());
  dir.Write(elf->build_id() + ".v" + std::to_string(kCacheFormatVersion) + ".msgpack", "garbage");
  EXPECT_FALSE(LoadCachedGraph(dir.path(), elf->build_id(), elf->path()).has_value()) << "a broken entry is ignored";
}

TEST(AnalysisJsonTest, RoundTripsAndNamesTheFaultyPath) {
  auto analysis = AnalyzeProgram(ANALYZE_FIXTURE, {});
  ASSERT_TRUE(analysis.ok());
  const std::string text = AnalysisToJson(*analysis).dump();
  EXPECT_TRUE(LooksLikeAnalysisJson(text));
  auto back = AnalysisFromJson(text, "a.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->syscalls.size(), analysis->syscalls.size());
  nlohmann::json broken = AnalysisToJson(*analysis);
  broken["syscalls"][1]["name"] = "no_such_call";
  auto bad = AnalysisFromJson(broken.dump(), "a.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("a.json: /syscalls/1/name: 'no_such_call' is no x86_64 syscall"), std::string::npos)
      << bad.error().message;
}

TEST(RecordingUnionTest, SplitsSeenFoundAndRecordedOnly) {
  Analysis analysis;
  analysis.syscalls = {{Arch::kX86_64, "read", 0, {{"libc.so.6", "read", 0x10}}},
                       {Arch::kX86_64, "kcmp", 312, {{"app", "main via syscall", 0x20}}}};
  profile::Profile recording;
  profile::SyscallRecord read;
  read.name = "read";
  read.count = 3;
  profile::SyscallRecord ioctl;
  ioctl.name = "ioctl";
  ioctl.number = 16;
  ioctl.count = 1;
  recording.syscalls = {ioctl, read};
  const UnionReport report = UniteWithAnalysis(&recording, analysis);
  EXPECT_EQ(report.seen_and_found, std::vector<std::string>{"read"});
  EXPECT_EQ(report.analysis_only, std::vector<std::string>{"kcmp"});
  EXPECT_EQ(report.recorded_only, std::vector<std::string>{"ioctl"});
  ASSERT_NE(profile::FindSyscall(recording, Arch::kX86_64, "kcmp"), nullptr);
  EXPECT_EQ(profile::FindSyscall(recording, Arch::kX86_64, "kcmp")->count, 0u);
}

}  // namespace
}  // namespace sysfence::analyze
