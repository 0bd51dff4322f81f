// SPDX-License-Identifier: Apache-2.0
// The profile model: building from observations, JSON round trips and bad JSON, merging
// recordings and policies, the coverage report and the summary table.
#include <gtest/gtest.h>

#include <cerrno>

#include "policy/evaluate.h"
#include "record/coverage.h"
#include "record/generate.h"
#include "record/interesting_args.h"
#include "record/merge_policies.h"
#include "record/profile.h"
#include "record/profile_builder.h"
#include "record/profile_json.h"
#include "record/summary.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
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
  expect_error(R"({"sysfence_profile":9,"backend":"x","arch":"x86_64","syscalls":[]})", "unsupported version");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"vax","syscalls":[]})", "$.arch: unknown architecture");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64"})", "$.syscalls: missing");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":"many"}]})",
               "$.syscalls[0].count: expected a non-negative integer");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"write","nr":0,"count":1}]})",
               "$.syscalls[0].name: 'write' is not syscall 0");
  expect_error(R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":1,"args":[{"index":7,"values":[]}]}]})",
               "$.syscalls[0].args[0].index: argument index must be 0..5");
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

policy::Rule MakeRule(Action action, std::string target, std::optional<policy::Condition> condition = std::nullopt) {
  policy::Rule rule;
  rule.action = action;
  rule.targets = {std::move(target)};
  rule.condition = std::move(condition);
  return rule;
}

policy::Condition ArgEquals(int arg, uint64_t value) {
  policy::Condition condition;
  condition.compare.arg = arg;
  condition.compare.value = value;
  return condition;
}

TEST(MergePoliciesTest, WhatAnyAllowsTheUnionAllows) {
  policy::Policy a;
  a.arches = {Arch::kX86_64};
  a.rules = {MakeRule(Action::Allow(), "read"), MakeRule(Action::Errno(ENOSYS), "clone3"),
             MakeRule(Action::Allow(), "socket", ArgEquals(0, 1))};
  policy::Policy b;
  b.arches = {Arch::kX86_64};
  b.rules = {MakeRule(Action::Allow(), "clone3"), MakeRule(Action::Allow(), "socket", ArgEquals(0, 2)),
             MakeRule(Action::Allow(), "read")};
  const policy::Policy merged = MergePolicies({a, b});
  auto decide = [&](std::string_view name, uint64_t arg0 = 0) {
    SeccompData data;
    data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
    data.nr = static_cast<int32_t>(Nr(name));
    data.args[0] = arg0;
    return policy::Evaluate(merged, data).action;
  };
  EXPECT_EQ(decide("read"), Action::Allow());
  EXPECT_EQ(decide("clone3"), Action::Allow());  // b allows it: a's ENOSYS must not shadow that
  EXPECT_EQ(decide("socket", 1), Action::Allow());
  EXPECT_EQ(decide("socket", 2), Action::Allow());
  EXPECT_EQ(decide("socket", 10), Action::Errno(1));
  EXPECT_EQ(decide("mount"), Action::Errno(1));
  int read_rules = 0;
  for (const policy::Rule& rule : merged.rules) read_rules += rule.targets.front() == "read";
  EXPECT_EQ(read_rules, 1);
}

TEST(CoverageTest, FlagsRareStartupSingleProcessAndDangerous) {
  const Profile profile = Built();
  const policy::Policy policy = GeneratePolicy(profile);
  CoverageReport report = AnalyzeCoverage(profile, policy);
  EXPECT_NE(std::find(report.seen_once.begin(), report.seen_once.end(), "x86_64/socket"), report.seen_once.end());
  EXPECT_NE(std::find(report.single_process.begin(), report.single_process.end(), "x86_64/read"),
            report.single_process.end());
  EXPECT_TRUE(report.dangerous.empty());
  EXPECT_FALSE(report.limits.empty());
  Profile risky = profile;
  risky.syscalls.push_back(FindSyscall(profile, Arch::kX86_64, "read") ? *FindSyscall(profile, Arch::kX86_64, "read")
                                                                       : SyscallRecord{});
  risky.syscalls.back().name = "ptrace";
  risky.syscalls.back().number = Nr("ptrace");
  report = AnalyzeCoverage(risky, GeneratePolicy(risky));
  ASSERT_EQ(report.dangerous.size(), 1u);
  EXPECT_EQ(report.dangerous.front().rfind("ptrace:", 0), 0u);
  const std::string text = RenderCoverage(report);
  EXPECT_NE(text.find("dangerous syscalls allowed (1): ptrace"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot prove"), std::string::npos);
  EXPECT_EQ(CoverageToJson(report)["dangerous_allowed"].size(), 1u);
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

TEST(InterestingArgsTest, NamesValuesWithConstants) {
  EXPECT_EQ(DescribeValue("AF", false, 2), "AF_INET");
  EXPECT_EQ(DescribeValue("PROT", true, 3), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(DescribeValue("", false, 255), "0xff");
  // clone's low byte is the exit signal, not flag bits.
  EXPECT_EQ(DescribeValue("CLONE", true, 0x1200011), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(DescribeValue("CLONE", true, 0x11), "SIGCHLD");
  EXPECT_EQ(InterestingArgMask("socket"), 0b111);
  EXPECT_EQ(InterestingArgMask("read"), 0);
}

}  // namespace
}  // namespace sysfence::record
