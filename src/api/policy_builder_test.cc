// SPDX-License-Identifier: Apache-2.0
// The public PolicyBuilder and Policy loading: what they build, and the first error they keep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/policy_impl.h"
#include "sysfence/sysfence.h"

namespace sysfence {
namespace {

using ::testing::HasSubstr;

TEST(PolicyBuilder, BuildsTheModel) {
  StatusOr<Policy> policy = PolicyBuilder()
                                .Arch("x86_64")
                                .Arch("x86")
                                .Default("errno ENOSYS")
                                .BadArch("kill-thread")
                                .Allow({"read", "write", "@signal"})
                                .Rule("errno 13", {"openat"})
                                .RuleIf("allow", "mprotect", "(prot & PROT_EXEC) == 0")
                                .Fs("read,write", {"/tmp"})
                                .Net("connect", 443)
                                .Build();
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  const policy::Policy& model = api::ModelOf(*policy);
  EXPECT_EQ(model.arches, (std::vector<sysfence::Arch>{sysfence::Arch::kX86_64, sysfence::Arch::kX86}));
  EXPECT_EQ(model.default_action, Action::Errno(38));
  EXPECT_EQ(model.badarch_action, Action::KillThread());
  ASSERT_EQ(model.rules.size(), 3u);
  EXPECT_EQ(model.rules[0].targets, (std::vector<std::string>{"read", "write", "@signal"}));
  EXPECT_EQ(model.rules[1].action, Action::Errno(13));
  ASSERT_TRUE(model.rules[2].condition.has_value());
  EXPECT_EQ(model.rules[2].condition->compare.op, policy::CompareOp::kMaskedEq);
  EXPECT_EQ(model.rules[2].span.ToString(), "PolicyBuilder:7:1");
  ASSERT_EQ(model.fs_rules.size(), 1u);
  EXPECT_NE(model.fs_rules[0].access & policy::kFsWriteFile, 0u);
  EXPECT_NE(model.fs_rules[0].access & policy::kFsReadFile, 0u);
  EXPECT_EQ(model.fs_rules[0].span.line, 8u);
  ASSERT_EQ(model.net_rules.size(), 1u);
  EXPECT_EQ(model.net_rules[0].port, 443);
  EXPECT_TRUE(policy->HasLandlockRules());
}

TEST(PolicyBuilder, AConditionAnAbiCannotCheckIsAnError) {
  // x86's mmap is old_mmap(struct mmap_arg_struct *): no register holds prot there.
  StatusOr<Policy> policy = PolicyBuilder()
                                .Arch("x86_64")
                                .Arch("x86")
                                .RuleIf("allow", "mmap", "(prot & PROT_EXEC) == 0")
                                .Build();
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.status().message(), HasSubstr("cannot be checked on x86"));
}

TEST(PolicyBuilder, DefaultsToTheNativeAbiAndEperm) {
  StatusOr<Policy> policy = PolicyBuilder().Allow({"read"}).Build();
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_EQ(api::ModelOf(*policy).arches, std::vector<sysfence::Arch>{NativeArch()});
  EXPECT_EQ(api::ModelOf(*policy).default_action, Action::Errno(1));
  EXPECT_EQ(api::ModelOf(*policy).badarch_action, Action::KillProcess());
  EXPECT_FALSE(policy->HasLandlockRules());
}

TEST(PolicyBuilder, FirstErrorSticksAndNamesTheCall) {
  StatusOr<Policy> policy = PolicyBuilder()
                                .Allow({"read"})
                                .Allow({"wrte"})          // call 2: the first error
                                .Default("nonsense")      // ignored
                                .Build();
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().step(), "build");
  EXPECT_THAT(policy.status().message(), HasSubstr("call 2 Allow"));
  EXPECT_THAT(policy.status().message(), HasSubstr("unknown syscall \"wrte\""));
  EXPECT_THAT(policy.status().message(), HasSubstr("did you mean 'write'"));
  EXPECT_THAT(policy.status().message(), ::testing::Not(HasSubstr("nonsense")));
}

TEST(PolicyBuilder, EachKindOfBadInputIsAnError) {
  struct Case {
    PolicyBuilder builder;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({std::move(PolicyBuilder().Arch("x86-65")), "unknown ABI \"x86-65\""});
  cases.push_back({std::move(PolicyBuilder().Arch("x86_64").Arch("x86_64")), "listed twice"});
  cases.push_back({std::move(PolicyBuilder().Default("errno")), "needs a value"});
  cases.push_back({std::move(PolicyBuilder().Default("errno EWHAT")), "unknown errno or number \"EWHAT\""});
  cases.push_back({std::move(PolicyBuilder().Default("errno 5000")), "out of range"});
  cases.push_back({std::move(PolicyBuilder().Default("alow")), "did you mean 'allow'"});
  cases.push_back({std::move(PolicyBuilder().Default("kill 3")), "takes no value"});
  cases.push_back({std::move(PolicyBuilder().BadArch("")), "expected an action"});
  cases.push_back({std::move(PolicyBuilder().Allow({})), "no syscalls given"});
  cases.push_back({std::move(PolicyBuilder().Allow({"@nosuchgroup"})), "unknown group"});
  cases.push_back({std::move(PolicyBuilder().RuleIf("allow", "mmap", "prot &&")), "invalid condition"});
  cases.push_back({std::move(PolicyBuilder().RuleIf("allow", "openat", "pathname == 0")), "invalid condition"});
  cases.push_back({std::move(PolicyBuilder().Fs("reed", {"/tmp"})), "unknown access \"reed\""});
  cases.push_back({std::move(PolicyBuilder().Fs("read", {"tmp"})), "not absolute"});
  cases.push_back({std::move(PolicyBuilder().Fs("read", {})), "no paths given"});
  cases.push_back({std::move(PolicyBuilder().Net("listen", 80)), "expected \"bind\" or \"connect\""});
  for (const Case& c : cases) {
    StatusOr<Policy> policy = c.builder.Build();
    ASSERT_FALSE(policy.ok()) << c.expected;
    EXPECT_EQ(policy.status().step(), "build");
    EXPECT_THAT(policy.status().message(), HasSubstr(c.expected));
    EXPECT_THAT(policy.status().message(), HasSubstr("build: call "));
  }
}

// The caps, unshare and rlimit calls build what the equivalent .sfp lines parse to, and print as
// `sysfence fmt` prints that text (Policy::ToText is fmt's printer).
TEST(PolicyBuilder, PrivilegeCallsPrintAsTheEquivalentSfp) {
  StatusOr<Policy> built = PolicyBuilder()
                               .Arch("x86_64")
                               .Default("allow")
                               .KeepCapabilities({"CAP_NET_RAW", "CAP_NET_BIND_SERVICE"})
                               .Unshare({"user", "mount", "net", "pid"})
                               .Rlimit("NOFILE", 64, 128)
                               .Rlimit("AS", uint64_t{512} << 20, PolicyBuilder::kUnlimited)
                               .Rlimit("RLIMIT_CORE", 0)
                               .Rlimit("NICE", 40)
                               .Build();
  ASSERT_TRUE(built.ok()) << built.status().message();
  const std::string sfp =
      "arch x86_64\ndefault allow\ncaps keep CAP_NET_BIND_SERVICE CAP_NET_RAW\nunshare net pid mount user\n"
      "rlimit NOFILE 64 128\nrlimit AS 512M unlimited\nrlimit CORE 0\nrlimit NICE 40\n";
  StatusOr<Policy> parsed = Policy::FromText(sfp, "same.sfp");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(built->ToText(), parsed->ToText());
  EXPECT_EQ(api::ModelOf(*built), api::ModelOf(*parsed));
  // The text fmt writes, spelled out: capabilities by number, namespaces in canonical order, sizes
  // with a suffix, one value where soft and hard agree.
  const std::string printed = built->ToText();
  EXPECT_THAT(printed, HasSubstr("\ncaps keep CAP_NET_BIND_SERVICE CAP_NET_RAW\nunshare net pid mount user\n"
                                 "rlimit NOFILE 64 128\nrlimit AS 512M unlimited\nrlimit CORE 0\nrlimit NICE 40\n"));
  StatusOr<Policy> reparsed = Policy::FromText(printed, "printed.sfp");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(reparsed->ToText(), printed);

  StatusOr<Policy> none = PolicyBuilder().Arch("x86_64").Default("allow").KeepNoCapabilities().Unshare({"ipc"}).Build();
  ASSERT_TRUE(none.ok()) << none.status().message();
  StatusOr<Policy> none_parsed = Policy::FromText("arch x86_64\ndefault allow\ncaps keep none\nunshare ipc\n");
  ASSERT_TRUE(none_parsed.ok()) << none_parsed.status().message();
  EXPECT_EQ(none->ToText(), none_parsed->ToText());
  EXPECT_THAT(none->ToText(), HasSubstr("\ncaps keep none\nunshare ipc\n"));
  EXPECT_TRUE(api::ModelOf(*none).caps->keep.empty());
  EXPECT_EQ(api::ModelOf(*none).caps->span.ToString(), "PolicyBuilder:3:1");
}

TEST(PolicyBuilder, EachBadPrivilegeValueIsAnErrorNamingIt) {
  struct Case {
    PolicyBuilder builder;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({std::move(PolicyBuilder().KeepCapabilities({"CAP_NET_RAWW"})),
                   "call 1 KeepCapabilities(...): unknown capability \"CAP_NET_RAWW\"; did you mean 'CAP_NET_RAW'"});
  cases.push_back({std::move(PolicyBuilder().KeepCapabilities({"net_raw"})),
                   "unknown capability \"net_raw\"; capabilities are written as capabilities(7) names them: "
                   "\"CAP_NET_RAW\""});
  cases.push_back({std::move(PolicyBuilder().KeepCapabilities({"CAP_KILL", "CAP_KILL"})),
                   "capability \"CAP_KILL\" is listed twice"});
  cases.push_back({std::move(PolicyBuilder().KeepCapabilities({})), "no capabilities given (KeepNoCapabilities()"});
  cases.push_back({std::move(PolicyBuilder().KeepCapabilities({"none"})), "unknown capability \"none\""});
  cases.push_back({std::move(PolicyBuilder().KeepNoCapabilities().KeepCapabilities({"CAP_KILL"})),
                   "call 2 KeepCapabilities(...): caps are already set"});
  cases.push_back({std::move(PolicyBuilder().Unshare({"network"})), "unknown namespace \"network\""});
  cases.push_back({std::move(PolicyBuilder().Unshare({"nte"})), "unknown namespace \"nte\"; did you mean 'net'"});
  cases.push_back({std::move(PolicyBuilder().Unshare({"net", "net"})), "namespace \"net\" is listed twice"});
  cases.push_back({std::move(PolicyBuilder().Unshare({})), "no namespaces given"});
  cases.push_back({std::move(PolicyBuilder().Unshare({"pid", "net"})), "'unshare pid' needs 'mount' beside it"});
  cases.push_back({std::move(PolicyBuilder().Unshare({"net"}).Unshare({"ipc"})), "unshare is already set"});
  cases.push_back({std::move(PolicyBuilder().Rlimit("OPENFILES", 10)), "unknown resource \"OPENFILES\""});
  cases.push_back(
      {std::move(PolicyBuilder().Rlimit("NOFIEL", 10)), "unknown resource \"NOFIEL\"; did you mean 'NOFILE'"});
  cases.push_back({std::move(PolicyBuilder().Rlimit("nofile", 10)),
                   "unknown resource \"nofile\"; resources are written in capitals: \"NOFILE\""});
  cases.push_back({std::move(PolicyBuilder().Rlimit("NOFILE", 64, 32)),
                   "call 1 Rlimit(\"NOFILE\", 64, 32): rlimit NOFILE: soft limit 64 is above the hard limit 32"});
  cases.push_back({std::move(PolicyBuilder().Rlimit("AS", PolicyBuilder::kUnlimited, 1 << 20)),
                   "rlimit AS: soft limit unlimited is above the hard limit 1M"});
  cases.push_back({std::move(PolicyBuilder().Rlimit("NICE", 41)), "limit 41 is out of range for NICE (0 to 40)"});
  cases.push_back({std::move(PolicyBuilder().Rlimit("NOFILE", 8).Rlimit("RLIMIT_NOFILE", 9)),
                   "rlimit NOFILE is already set by an earlier call"});
  for (const Case& c : cases) {
    StatusOr<Policy> policy = c.builder.Build();
    ASSERT_FALSE(policy.ok()) << c.expected;
    EXPECT_EQ(policy.status().step(), "build");
    EXPECT_EQ(policy.status().code(), ErrorCode::kInvalidInput);
    EXPECT_THAT(policy.status().message(), HasSubstr(c.expected));
  }
}

TEST(Policy, FromTextReportsFileLineCol) {
  StatusOr<Policy> policy = Policy::FromText("arch x86_64\nallow read wrte\n", "app.sfp");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().step(), "load");
  EXPECT_THAT(policy.status().message(), HasSubstr("app.sfp:2:"));
  EXPECT_THAT(policy.status().message(), HasSubstr("wrte"));
}

TEST(Policy, FromTextRoundTripsThroughToText) {
  StatusOr<Policy> policy = Policy::FromText("arch x86_64\ndefault kill\nallow read write\nfs read /usr\n", "app.sfp");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  StatusOr<Policy> again = Policy::FromText(policy->ToText(), "printed.sfp");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(api::ModelOf(*policy), api::ModelOf(*again));
}

TEST(Policy, FromFileMissingFileIsALoadError) {
  StatusOr<Policy> policy = Policy::FromFile("/nonexistent/policy.sfp");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().step(), "load");
  EXPECT_THAT(policy.status().message(), HasSubstr("/nonexistent/policy.sfp"));
}

TEST(Policy, CompileFilterGivesTheProgram) {
  StatusOr<Policy> policy = PolicyBuilder().Arch("x86_64").Default("kill").Allow({"read"}).Build();
  ASSERT_TRUE(policy.ok());
  StatusOr<std::vector<FilterInstruction>> filter = policy->CompileFilter();
  ASSERT_TRUE(filter.ok()) << filter.status().message();
  ASSERT_GE(filter->size(), 4u);
  EXPECT_EQ(filter->front().code, 0x20);  // ld [k]
  EXPECT_EQ(filter->front().k, 4u);       // seccomp_data.arch
  Policy copy = *policy;                  // a value type
  EXPECT_EQ(copy.ToText(), policy->ToText());
}

TEST(Status, KeepsTheKindOfFailure) {
  StatusOr<Policy> built = PolicyBuilder().Default("alow").Build();
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().code(), ErrorCode::kInvalidInput);
  const Status limit = api::StatusFromError("compile", MakeError(ErrorCode::kLimit, "4097 instructions"));
  EXPECT_EQ(limit.code(), ErrorCode::kLimit);
  EXPECT_EQ(limit.step(), "compile");
  const Status refused = api::StatusFromError("landlock", MakeError(ErrorCode::kUnsupported, "no Landlock"));
  EXPECT_EQ(refused.code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace sysfence
