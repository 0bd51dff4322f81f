// SPDX-License-Identifier: Apache-2.0
#include "formats/base_profiles.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "formats/load.h"

namespace sysfence::formats {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(BaseProfiles, NamesResolveAsSpoWritesThem) {
  EXPECT_EQ(BaseProfileNames(), (std::vector<std::string>{"crun-v1.8.x", "runc-v1.1.x"}));
  EXPECT_EQ(ResolveBaseProfileName("runc-v1.1.5"), "runc-v1.1.x");
  EXPECT_EQ(ResolveBaseProfileName("runc"), "runc-v1.1.x");
  EXPECT_EQ(ResolveBaseProfileName("crun-v1.8.1"), "crun-v1.8.x");
  EXPECT_EQ(ResolveBaseProfileName("runc-v1.2.0"), std::nullopt);
  EXPECT_EQ(ResolveBaseProfileName("youki"), std::nullopt);
  Result<policy::Policy> missing = LoadBaseProfile("runc-v1.0.0");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("bundled: crun-v1.8.x, runc-v1.1.x"), std::string::npos);
}

TEST(BaseProfiles, BasesHoldWhatTheRuntimesWereSeenCalling) {
  Result<std::vector<std::string>> runc = BaseProfileSyscalls("runc-v1.1.x");
  ASSERT_TRUE(runc.ok());
  for (const char* name : {"fstatfs", "getdents64", "execve", "epoll_ctl", "capset", "prctl", "futex"}) {
    EXPECT_TRUE(Contains(runc.value(), name)) << name;
  }
  Result<std::vector<std::string>> crun = BaseProfileSyscalls("crun-v1.8.x");
  ASSERT_TRUE(crun.ok());
  for (const char* name : {"close", "execve", "setresuid", "rt_sigaction"}) EXPECT_TRUE(Contains(crun.value(), name));
  EXPECT_FALSE(Contains(crun.value(), "fstatfs"));
}

TEST(BaseProfiles, SpoBaseProfileNameIsUnitedWithTheProfile) {
  const std::string spo = R"({"apiVersion":"security-profiles-operator.x-k8s.io/v1beta1","kind":"SeccompProfile",
      "metadata":{"name":"x"},"spec":{"defaultAction":"SCMP_ACT_ERRNO","baseProfileName":"runc-v1.1.12",
      "architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"action":"SCMP_ACT_ALLOW","names":["read"]}]}})";
  Diagnostics diagnostics;
  std::optional<policy::Policy> policy = LoadPolicyText(spo, "p.json", {}, diagnostics);
  ASSERT_TRUE(policy.has_value());
  std::vector<std::string> allowed;
  for (const policy::Rule& rule : policy->rules) {
    if (rule.action.kind == ActionKind::kAllow) allowed.insert(allowed.end(), rule.targets.begin(), rule.targets.end());
  }
  EXPECT_TRUE(Contains(allowed, "read"));
  EXPECT_TRUE(Contains(allowed, "fstatfs"));
  EXPECT_TRUE(Contains(allowed, "getdents64"));

  const std::string unknown = R"({"kind":"SeccompProfile","apiVersion":"security-profiles-operator.x-k8s.io/v1beta1",
      "spec":{"defaultAction":"SCMP_ACT_ERRNO","baseProfileName":"runc-v9.9"}})";
  Diagnostics bad;
  EXPECT_FALSE(LoadPolicyText(unknown, "p.json", {}, bad).has_value());
  ASSERT_FALSE(bad.all().empty());
  EXPECT_EQ(bad.all()[0].span.json_path, "$.spec.baseProfileName");
}

}  // namespace
}  // namespace sysfence::formats

namespace sysfence::formats {
namespace {

TEST(BaseProfiles, AddedBeforeTheFirstDenialAndUnhiddenByIt) {
  policy::Policy policy;
  policy.rules.push_back({Action::Allow(), {"read", "close"}, std::nullopt, {}, "seen", {}});
  policy.rules.push_back({Action::Errno(38), {"faccessat2", "clone3"}, std::nullopt, {}, "twin", {}});
  policy.rules.push_back({Action::Errno(38), {"fstatfs"}, std::nullopt, {}, "only base", {}});
  Result<policy::Policy> with = WithBaseProfile(policy, "runc");
  ASSERT_TRUE(with.ok());
  const std::vector<policy::Rule>& rules = with.value().rules;
  ASSERT_EQ(rules.size(), 3u);  // the seen rule, the base, the twin rule without faccessat2
  EXPECT_EQ(rules[0].targets, (std::vector<std::string>{"read", "close"}));
  EXPECT_EQ(rules[0].comment, "seen");
  EXPECT_TRUE(rules[1].action.Permits());
  EXPECT_TRUE(Contains(rules[1].targets, "faccessat2"));
  EXPECT_TRUE(Contains(rules[1].targets, "fstatfs"));
  EXPECT_FALSE(Contains(rules[1].targets, "close"));  // already allowed
  EXPECT_NE(rules[1].comment.find("runtime base runc-v1.1.x"), std::string::npos);
  EXPECT_EQ(rules[2].targets, (std::vector<std::string>{"clone3"}));
  EXPECT_FALSE(WithBaseProfile(policy, "youki").ok());
}

}  // namespace
}  // namespace sysfence::formats
