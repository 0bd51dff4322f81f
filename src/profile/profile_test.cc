// SPDX-License-Identifier: Apache-2.0
// The profile model: building from observations, JSON round trips and bad JSON, merging
// recordings, call counts for weighting and the summary table.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "profile/profile.h"
#include "profile/profile_builder.h"
#include "profile/profile_json.h"
#include "profile/summary.h"
#include "syscalls/syscalls.h"

namespace sysfence::profile {
namespace {

uint32_t Nr(std::string_view name, Arch arch = Arch::kX86_64) { return syscalls::NumberOf(arch, name).value(); }

Profile Built() {
  ProfileBuilder builder(Arch::kX86_64, 1000);
  const uint64_t none[6] = {0, 0, 0, 0, 0, 0};
  builder.OnNewProcess(10);
  for (int i = 0; i < 100; ++i) builder.OnSyscall(10, Arch::kX86_64, Nr("read"), none, 2000 + i);
  const uint64_t socket_args[6] = {2, 1, 0, 0, 0, 0};
  builder.OnSyscall(10, Arch::kX86_64, Nr("socket"), socket_args, 5000);
  // The high half of a 32-bit argument is ignored by the kernel, and so by the recording.
  const uint64_t ioctl_args[6] = {1, (uint64_t{1} << 32) | 0x5401, 0, 0, 0, 0};
  builder.OnSyscall(10, Arch::kX86_64, Nr("ioctl"), ioctl_args, 6000);
  builder.OnError(Arch::kX86_64, Nr("ioctl"));
  builder.OnExec(11, "/usr/bin/true");
  builder.OnSyscall(11, Arch::kX86_64, Nr("brk"), none, 7000);
  builder.OnSyscall(11, Arch::kX86, Nr("getuid", Arch::kX86), none, 8000);
  builder.SetErrorsKnown(true);
  Profile profile = builder.Finish("ptrace", 1000 + 5'000'000);
  profile.kernel_release = "6.1.0";
  profile.command = {"demo"};
  return profile;
}

TEST(ProfileBuilderTest, AggregatesCallsErrorsTimesAndProcesses) {
  const Profile profile = Built();
  EXPECT_EQ(profile.process_images, 2u);
  EXPECT_DOUBLE_EQ(profile.duration_ms, 5.0);
  const SyscallRecord* read = FindSyscall(profile, Arch::kX86_64, "read");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->count, 100u);
  EXPECT_DOUBLE_EQ(read->first_ms, 0.001);
  EXPECT_EQ(read->processes, 1u);
  // The first 64 calls of an image are start-up; read went on past them.
  EXPECT_FALSE(read->startup_only);
  EXPECT_FALSE(FindSyscall(profile, Arch::kX86_64, "socket")->startup_only);
  EXPECT_TRUE(FindSyscall(profile, Arch::kX86_64, "brk")->startup_only);
  const SyscallRecord* ioctl = FindSyscall(profile, Arch::kX86_64, "ioctl");
  EXPECT_EQ(ioctl->errors, 1u);
  EXPECT_EQ(ioctl->args.at(1).values, (std::set<uint64_t>{0x5401}));
  EXPECT_EQ(FindSyscall(profile, Arch::kX86_64, "socket")->args.at(0).values, (std::set<uint64_t>{2}));
  EXPECT_NE(FindSyscall(profile, Arch::kX86, "getuid"), nullptr);
  EXPECT_EQ(profile.executables, std::vector<std::string>{"/usr/bin/true"});
  EXPECT_EQ(TotalCalls(profile), 104u);
}

TEST(ProfileBuilderTest, KeepsAtMostSixteenValuesThenNotesOverflow) {
  ArgValues values;
  for (uint64_t v = 0; v < kMaxArgValues; ++v) values.Add(v);
  EXPECT_FALSE(values.overflow);
  values.Add(3);  // already there
  EXPECT_FALSE(values.overflow);
  values.Add(1000);
  EXPECT_TRUE(values.overflow);
  EXPECT_EQ(values.values.size(), kMaxArgValues);
}

TEST(ProfileJsonTest, RoundTrips) {
  const Profile profile = Built();
  const std::string text = ProfileToJson(profile).dump(2);
  EXPECT_TRUE(LooksLikeProfileJson(text));
  auto parsed = ProfileFromJson(text, "p.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, profile);
  // Values are named for people reading the JSON.
  EXPECT_NE(text.find("AF_INET"), std::string::npos);
}

TEST(ProfileJsonTest, HighestFdRoundTripsAndMergesToTheMaximum) {
  Profile profile = Built();
  EXPECT_FALSE(profile.fds_known);
  EXPECT_EQ(ProfileToJson(profile).dump().find("highest_fd"), std::string::npos);
  profile.fds_known = true;
  profile.highest_fd = 12;
  auto parsed = ProfileFromJson(ProfileToJson(profile).dump(), "p.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, profile);
  Profile other = profile;
  other.highest_fd = 40;
  EXPECT_EQ(MergeProfiles({profile, other}).highest_fd, 40);
  EXPECT_TRUE(MergeProfiles({profile, other}).fds_known);
  EXPECT_FALSE(MergeProfiles({profile, Built()}).fds_known);  // one recording did not measure them
  auto bad = ProfileFromJson(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[],"highest_fd":-5})",
                             "p.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("$.highest_fd"), std::string::npos) << bad.error().message;
}

TEST(ProfileBuilderTest, NoteFdKeepsTheHighest) {
  ProfileBuilder builder(Arch::kX86_64, 0);
  EXPECT_FALSE(builder.Finish("ebpf", 1).fds_known);
  builder.NoteFd(7);
  builder.NoteFd(3);
  const Profile profile = builder.Finish("ebpf", 1);
  EXPECT_TRUE(profile.fds_known);
  EXPECT_EQ(profile.highest_fd, 7);
}

TEST(ProfileJsonTest, BadInputNamesTheJsonPath) {
  auto expect_error = [](const std::string& text, const std::string& fragment) {
    auto parsed = ProfileFromJson(text, "p.json");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.error().message.find(fragment), std::string::npos) << parsed.error().message;
  };
  expect_error("{", "p.json: offset");
  expect_error("[]", "$: expected an object");
  expect_error(R"({"backend":"x","arch":"x86_64","syscalls":[]})", "$.sysfence_profile: missing");
  expect_error(R"({"sysfence_profile":9,"backend":"x","arch":"x86_64","syscalls":[]})", "unsupported recording version");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"vax","syscalls":[]})", "$.arch: unknown architecture");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64"})", "$.syscalls: missing");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":"many"}]})",
               "$.syscalls[0].count: expected a non-negative integer");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"write","nr":0,"count":1}]})",
               "$.syscalls[0].name: 'write' is not syscall 0");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":1,"args":[{"index":7,"values":[]}]}]})",
               "$.syscalls[0].args[0].index: argument index must be 0..5");
  const std::string head = R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[],)";
  expect_error(head + R"("timeline":[1,2]})", "$.timeline: expected an object");
  expect_error(head + R"("timeline":{"interval_ns":0,"calls":[]}})", "$.timeline.interval_ns: must be positive");
  expect_error(head + R"("timeline":{"interval_ns":5,"calls":[1,-2]}})", "$.timeline.calls[1]: expected a non-negative");
  expect_error(head + R"("processes":[{"pid":0}]})", "$.processes[0].pid: not a process id");
  expect_error(head + R"("processes":[{"pid":3,"name":7}]})", "$.processes[0].name: expected a string");
}

TEST(ProfileBuilderTest, KeepsCallsOverTimeAndTheProcessTree) {
  const Profile built = Built();
  // 104 calls between 1000 and 8000 ns after a start at 1000: all in the first millisecond.
  EXPECT_EQ(built.timeline.interval_ns, kFirstTimelineIntervalNs);
  EXPECT_EQ(built.timeline.calls, std::vector<uint64_t>({TotalCalls(built)}));

  ProfileBuilder builder(Arch::kX86_64, 0);
  const uint64_t none[6] = {0, 0, 0, 0, 0, 0};
  builder.OnExec(10, "/usr/bin/tar");
  builder.OnSyscall(10, Arch::kX86_64, Nr("read"), none, 500'000);
  builder.OnNewProcess(11, 10);  // a fork keeps the parent's name until it executes
  builder.OnSyscall(11, Arch::kX86_64, Nr("read"), none, 2'500'000);
  builder.OnNewProcess(12, 10);
  builder.OnExec(12, "/usr/bin/gzip");
  builder.OnSyscall(12, Arch::kX86_64, Nr("write"), none, 2'600'000);
  const Profile profile = builder.Finish("ptrace", 3'000'000);
  EXPECT_EQ(profile.timeline.calls, std::vector<uint64_t>({1, 0, 2}));
  ASSERT_EQ(profile.processes.size(), 3u);
  EXPECT_EQ(profile.processes[0], (ProcessNode{10, 0, "/usr/bin/tar", 1}));
  EXPECT_EQ(profile.processes[1], (ProcessNode{11, 10, "/usr/bin/tar", 1}));
  EXPECT_EQ(profile.processes[2], (ProcessNode{12, 10, "/usr/bin/gzip", 1}));
  auto parsed = ProfileFromJson(ProfileToJson(profile).dump(), "p.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->timeline, profile.timeline);
  EXPECT_EQ(parsed->processes, profile.processes);
}

TEST(TimelineTest, DoublesTheIntervalInsteadOfGrowingPastItsLimit) {
  Timeline timeline;
  timeline.Add(0);
  timeline.Add(3 * kFirstTimelineIntervalNs, 5);
  EXPECT_EQ(timeline.calls, std::vector<uint64_t>({1, 0, 0, 5}));
  // An offset of 2000 intervals needs 2 doublings to fit in 512 (2000 / 4 = 500).
  timeline.Add(2000 * kFirstTimelineIntervalNs, 2);
  EXPECT_EQ(timeline.interval_ns, 4 * kFirstTimelineIntervalNs);
  ASSERT_EQ(timeline.calls.size(), 501u);
  EXPECT_EQ(timeline.calls[0], 6u);  // 0 and 3 ms now share the first 4 ms
  EXPECT_EQ(timeline.calls[500], 2u);
  EXPECT_EQ(timeline.Total(), 8u);
  EXPECT_LE(timeline.calls.size(), kMaxTimelineIntervals);
  timeline.Coarsen(10 * kFirstTimelineIntervalNs);
  EXPECT_EQ(timeline.interval_ns, 16 * kFirstTimelineIntervalNs);
  EXPECT_EQ(timeline.calls.size(), 126u);
  EXPECT_EQ(timeline.Total(), 8u);
}

TEST(ProfileJsonTest, RecordingsWithoutTimelineOrTreeStillLoad) {
  // What sysfence wrote before timelines and process trees existed.
  auto parsed = ProfileFromJson(
      R"({"sysfence_profile":1,"backend":"ptrace","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":3}]})",
      "old.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->timeline.calls.empty());
  EXPECT_TRUE(parsed->processes.empty());
  EXPECT_EQ(TotalCalls(*parsed), 3u);
}

TEST(MergeProfilesTest, DropsTimelinesAndTreesOfSeveralRuns) {
  const Profile one = Built();
  EXPECT_EQ(MergeProfiles({one}).timeline, one.timeline);
  const Profile both = MergeProfiles({one, one});
  EXPECT_TRUE(both.timeline.calls.empty());
  EXPECT_TRUE(both.processes.empty());
}

TEST(MergeProfilesTest, AddsCountsUnitesValuesAndKeepsTheOldestKernel) {
  Profile a = Built();
  Profile b = Built();
  b.kernel_release = "5.15.0";
  b.backend = "ebpf";
  for (SyscallRecord& record : b.syscalls) {
    if (record.name == "socket") record.args[0].values = {1};
    if (record.name == "brk") record.startup_only = false;
  }
  const Profile merged = MergeProfiles({a, b});
  EXPECT_EQ(merged.kernel_release, "5.15.0");
  EXPECT_EQ(merged.backend, "ptrace+ebpf");
  EXPECT_EQ(merged.recordings, 2);
  EXPECT_EQ(FindSyscall(merged, Arch::kX86_64, "read")->count, 200u);
  EXPECT_EQ(FindSyscall(merged, Arch::kX86_64, "socket")->args.at(0).values, (std::set<uint64_t>{1, 2}));
  EXPECT_FALSE(FindSyscall(merged, Arch::kX86_64, "brk")->startup_only);
  EXPECT_EQ(TotalCalls(merged), 2 * TotalCalls(a));
}

TEST(MergeProfilesTest, KernelReleasesCompareNumerically) {
  EXPECT_LT(CompareKernelReleases("6.1.0-18-amd64", "6.18.4"), 0);
  EXPECT_GT(CompareKernelReleases("6.10", "6.9"), 0);
  EXPECT_EQ(CompareKernelReleases("5.10", "5.10"), 0);
  EXPECT_LT(CompareKernelReleases("5.10", "5.10.1"), 0);
}

TEST(SummaryTest, ListsCallsErrorsAndShareMostFirst) {
  const std::string text = RenderSummary(Built());
  const size_t read = text.find("read");
  const size_t socket = text.find("socket");
  ASSERT_NE(read, std::string::npos);
  ASSERT_NE(socket, std::string::npos);
  EXPECT_LT(read, socket);
  EXPECT_NE(text.find("96.15"), std::string::npos) << text;  // 100 of 104 calls
  EXPECT_NE(text.find("total"), std::string::npos);
  Profile unknown_errors = Built();
  unknown_errors.errors_known = false;
  EXPECT_NE(RenderSummary(unknown_errors).find("      -"), std::string::npos);
}

TEST(CallCountsTest, KeyByAbiAndNumberAndKeepUnnamedNumbers) {
  Profile profile = Built();
  SyscallRecord unnamed;
  unnamed.arch = Arch::kX86_64;
  unnamed.name = "nr999";
  unnamed.number = 999;
  unnamed.count = 7;
  profile.syscalls.push_back(unnamed);
  const auto counts = CallCounts(profile);
  EXPECT_EQ(counts.at({Arch::kX86_64, Nr("read")}), 100u);
  EXPECT_EQ(counts.at({Arch::kX86, Nr("getuid", Arch::kX86)}), 1u);
  EXPECT_EQ(counts.count({Arch::kX86_64, Nr("getuid", Arch::kX86)}), 0u);  // an i386 call stays i386's
  EXPECT_EQ(counts.at({Arch::kX86_64, 999}), 7u);
  // Read back from JSON the same.
  auto parsed = ProfileFromJson(ProfileToJson(profile).dump(), "p.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(CallCounts(*parsed), counts);
}

TEST(ProfileJsonTest, UnknownNamesAreRefusedButUnnamedNumbersRead) {
  const std::string unnamed =
      R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"nr999","nr":999,"count":3}]})";
  auto parsed = ProfileFromJson(unnamed, "p.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->syscalls.at(0).number, 999u);
  auto bad = ProfileFromJson(
      R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"no_such_call","nr":1,"count":3}]})",
      "p.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("$.syscalls[0].name: unknown syscall 'no_such_call'"), std::string::npos)
      << bad.error().message;
}

// Recorded values are named with the argument table, by each ABI's own positions, and options by
// the level recorded with them.
TEST(ProfileJsonTest, NamesValuesByArgumentNameLevelAndAbi) {
  ProfileBuilder builder(Arch::kX86_64, 0);
  builder.OnNewProcess(1);
  const uint64_t tcp_nodelay[6] = {3, 6, 1, 0, 4, 0};  // setsockopt(fd, SOL_TCP, TCP_NODELAY, ...)
  builder.OnSyscall(1, Arch::kX86_64, Nr("setsockopt"), tcp_nodelay, 10);
  const uint64_t unix_pair[6] = {1, 0x80001, 0, 0, 0, 0};
  builder.OnSyscall(1, Arch::kX86_64, Nr("socketpair"), unix_pair, 20);
  const uint64_t s390x_clone[6] = {0x7ff000, 0x1200011, 0, 0, 0, 0};  // s390x: newsp, then flags
  builder.OnSyscall(1, Arch::kS390x, Nr("clone", Arch::kS390x), s390x_clone, 30);
  const Profile profile = builder.Finish("ptrace", 40);
  const SyscallRecord* clone = FindSyscall(profile, Arch::kS390x, "clone");
  ASSERT_NE(clone, nullptr);
  EXPECT_EQ(clone->args.count(0), 0u);  // the stack is not worth recording
  EXPECT_EQ(clone->args.at(1).values, (std::set<uint64_t>{0x1200011}));
  EXPECT_EQ(SingleValueOf(*FindSyscall(profile, Arch::kX86_64, "setsockopt"), "level"), 6u);
  const nlohmann::json json = ProfileToJson(profile);
  std::map<std::string, nlohmann::json> args;  // "syscall.arg" -> decoded
  for (const nlohmann::json& entry : json["syscalls"]) {
    for (const nlohmann::json& arg : entry["args"]) {
      args[entry["name"].get<std::string>() + "." + arg["name"].get<std::string>()] = arg["decoded"];
    }
  }
  EXPECT_EQ(args["setsockopt.level"], nlohmann::json({"SOL_TCP"}));
  EXPECT_EQ(args["setsockopt.optname"], nlohmann::json({"TCP_NODELAY"}));
  EXPECT_EQ(args["socketpair.family"], nlohmann::json({"AF_UNIX"}));
  EXPECT_EQ(args["socketpair.type"], nlohmann::json({"SOCK_STREAM|SOCK_CLOEXEC"}));
  EXPECT_EQ(args["clone.clone_flags"], nlohmann::json({"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"}));
}

}  // namespace
}  // namespace sysfence::profile

namespace sysfence::profile {
namespace {

// What a live progress display reads while a recording goes on.
TEST(LiveCountsTest, BuilderKeepsCallsDistinctSyscallsAndProcessesUpToDate) {
  LiveCounts live;
  ProfileBuilder builder(Arch::kX86_64, 0);
  builder.SetLiveCounts(&live);
  const uint64_t none[6] = {0, 0, 0, 0, 0, 0};
  builder.OnNewProcess(10);
  EXPECT_EQ(live.processes.load(), 1u);
  EXPECT_EQ(live.calls.load(), 0u);
  for (int i = 0; i < 5; ++i) builder.OnSyscall(10, Arch::kX86_64, Nr("read"), none, 10 + i);
  builder.OnSyscall(11, Arch::kX86_64, Nr("write"), none, 20);  // a process first seen by its call
  builder.OnSyscall(11, Arch::kX86, Nr("read", Arch::kX86), none, 21);  // another ABI: another syscall
  EXPECT_EQ(live.calls.load(), 7u);
  EXPECT_EQ(live.syscalls.load(), 3u);
  EXPECT_EQ(live.processes.load(), 2u);
  EXPECT_EQ(TotalCalls(builder.Finish("ptrace", 100)), live.calls.load());
}

}  // namespace
}  // namespace sysfence::profile
