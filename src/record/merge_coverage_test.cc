// SPDX-License-Identifier: Apache-2.0
// What record builds on a profile: merged policies and the coverage report of a generated policy.
#include <gtest/gtest.h>

#include <cerrno>

#include "policy/evaluate.h"
#include "profile/coverage.h"
#include "profile/profile.h"
#include "profile/profile_builder.h"
#include "record/generate.h"
#include "record/merge_policies.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

uint32_t Nr(std::string_view name, Arch arch = Arch::kX86_64) { return syscalls::NumberOf(arch, name).value(); }

profile::Profile Built() {
  profile::ProfileBuilder builder(Arch::kX86_64, 1000);
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
  profile::Profile profile = builder.Finish("ptrace", 1000 + 5'000'000);
  profile.kernel_release = "6.1.0";
  profile.command = {"demo"};
  return profile;
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

TEST(MergePoliciesTest, CarriesCapsUnshareAndRlimits) {
  policy::Policy a;
  a.arches = {Arch::kX86_64};
  a.caps = policy::CapsRule{{10}, {}, {}};
  a.unshare = policy::UnshareRule{policy::kNsNet | policy::kNsIpc, {}, {}};
  a.rlimits = {{policy::Resource::kNofile, 64, 128, {}, {}}};
  policy::Policy b = a;
  b.caps->keep = {13};
  b.unshare->namespaces = policy::kNsNet;
  b.rlimits[0].soft = 256;
  b.rlimits[0].hard = 256;
  const policy::Policy merged = MergePolicies({a, b});
  ASSERT_TRUE(merged.caps.has_value());
  EXPECT_EQ(merged.caps->keep, (std::vector<int>{10, 13}));
  ASSERT_TRUE(merged.unshare.has_value());
  EXPECT_EQ(merged.unshare->namespaces, policy::kNsNet);
  ASSERT_EQ(merged.rlimits.size(), 1u);
  EXPECT_EQ(merged.rlimits[0].soft, 256u);
  EXPECT_EQ(merged.rlimits[0].hard, 256u);
  // One policy alone keeps its lines as they are.
  EXPECT_EQ(MergePolicies({a}).caps, a.caps);
  EXPECT_EQ(MergePolicies({a}).rlimits, a.rlimits);
}

TEST(CoverageTest, FlagsRareStartupSingleProcessAndDangerous) {
  const profile::Profile profile = Built();
  const policy::Policy policy = GeneratePolicy(profile);
  profile::CoverageReport report = profile::AnalyzeCoverage(profile, policy);
  EXPECT_NE(std::find(report.seen_once.begin(), report.seen_once.end(), "x86_64/socket"), report.seen_once.end());
  EXPECT_NE(std::find(report.single_process.begin(), report.single_process.end(), "x86_64/read"),
            report.single_process.end());
  EXPECT_TRUE(report.dangerous.empty());
  EXPECT_FALSE(report.limits.empty());
  profile::Profile risky = profile;
  risky.syscalls.push_back(profile::FindSyscall(profile, Arch::kX86_64, "read") ? *profile::FindSyscall(profile, Arch::kX86_64, "read")
                                                                       : profile::SyscallRecord{});
  risky.syscalls.back().name = "ptrace";
  risky.syscalls.back().number = Nr("ptrace");
  report = profile::AnalyzeCoverage(risky, GeneratePolicy(risky));
  ASSERT_EQ(report.dangerous.size(), 1u);
  EXPECT_EQ(report.dangerous.front().rfind("ptrace:", 0), 0u);
  const std::string text = profile::RenderCoverage(report);
  EXPECT_NE(text.find("dangerous syscalls allowed (1): ptrace"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot prove"), std::string::npos);
  EXPECT_EQ(profile::CoverageToJson(report)["dangerous_allowed"].size(), 1u);
}

}  // namespace
}  // namespace sysfence::record
