// SPDX-License-Identifier: Apache-2.0
// PlanLandlock for every ABI, without the kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "os/landlock.h"
#include "os/landlock_uapi.h"

namespace sysfence::os {
namespace {

namespace uapi = landlock_uapi;
using ::testing::HasSubstr;

SourceSpan At(uint32_t line) { return SourceSpan{"policy.sfp", line, 1, 0, ""}; }

LandlockPathGrant Fs(uint64_t access, std::vector<std::string> paths, uint32_t line) {
  return LandlockPathGrant{access, std::move(paths), At(line)};
}

LandlockPortGrant Net(uint64_t access, uint16_t port, uint32_t line) { return LandlockPortGrant{access, port, At(line)}; }

constexpr uint64_t kAbi1Fs = (uapi::kFsMakeSym << 1) - 1;
constexpr uint64_t kAllFs = (uapi::kFsIoctlDev << 1) - 1;

std::vector<std::string> DroppedNames(const LandlockReport& report) {
  std::vector<std::string> names;
  for (const LandlockDrop& drop : report.dropped) names.push_back(drop.name);
  return names;
}

TEST(LandlockRightsOfAbi, MatchTheKernelHistory) {
  EXPECT_EQ(LandlockFsRightsOfAbi(0), 0u);
  EXPECT_EQ(LandlockFsRightsOfAbi(1), kAbi1Fs);
  EXPECT_EQ(LandlockFsRightsOfAbi(2), kAbi1Fs | uapi::kFsRefer);
  EXPECT_EQ(LandlockFsRightsOfAbi(3), kAbi1Fs | uapi::kFsRefer | uapi::kFsTruncate);
  EXPECT_EQ(LandlockFsRightsOfAbi(4), LandlockFsRightsOfAbi(3));
  EXPECT_EQ(LandlockFsRightsOfAbi(5), kAllFs);
  EXPECT_EQ(LandlockFsRightsOfAbi(8), kAllFs);
  EXPECT_EQ(LandlockNetRightsOfAbi(3), 0u);
  EXPECT_EQ(LandlockNetRightsOfAbi(4), uapi::kNetBindTcp | uapi::kNetConnectTcp);
  EXPECT_EQ(LandlockScopesOfAbi(5), 0u);
  EXPECT_EQ(LandlockScopesOfAbi(6), uapi::kScopeAbstractUnixSocket | uapi::kScopeSignal);
  EXPECT_EQ(LandlockRestrictFlagsOfAbi(6), 0u);
  EXPECT_EQ(LandlockRestrictFlagsOfAbi(7), 7u);
  EXPECT_EQ(LandlockRestrictFlagsOfAbi(8), 15u);
  EXPECT_EQ(uapi::RulesetAttrSize(3), 8u);
  EXPECT_EQ(uapi::RulesetAttrSize(4), 16u);
  EXPECT_EQ(uapi::RulesetAttrSize(6), 24u);
}

TEST(PlanLandlock, NoRulesMeansNotRequested) {
  Result<LandlockPlan> plan = PlanLandlock({}, 7, LandlockMode::kRequire);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->report.status, LandlockStatus::kNotRequested);
  EXPECT_FALSE(plan->HasRuleset());
}

// Deny by default: each ABI handles every fs right it knows, and reports the rest.
TEST(PlanLandlock, FsRulesHandleEveryRightTheAbiKnows) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsReadFile | uapi::kFsReadDir, {"/usr"}, 3)};
  struct Expect {
    int abi;
    std::vector<std::string> dropped;
    LandlockStatus status;
  };
  const Expect cases[] = {
      {1, {"truncate", "ioctl-dev"}, LandlockStatus::kPartiallyEnforced},
      {2, {"truncate", "ioctl-dev"}, LandlockStatus::kPartiallyEnforced},
      {3, {"ioctl-dev"}, LandlockStatus::kPartiallyEnforced},
      {4, {"ioctl-dev"}, LandlockStatus::kPartiallyEnforced},
      {5, {}, LandlockStatus::kFullyEnforced},
      {6, {}, LandlockStatus::kFullyEnforced},
      {7, {}, LandlockStatus::kFullyEnforced},
      {8, {}, LandlockStatus::kFullyEnforced},
  };
  for (const Expect& expect : cases) {
    SCOPED_TRACE("ABI " + std::to_string(expect.abi));
    Result<LandlockPlan> plan = PlanLandlock({rules, {}}, expect.abi, LandlockMode::kBestEffort);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->handled_fs, LandlockFsRightsOfAbi(expect.abi));
    EXPECT_EQ(plan->handled_net, 0u);
    EXPECT_EQ(DroppedNames(plan->report), expect.dropped);
    EXPECT_EQ(plan->report.status, expect.status);
    ASSERT_EQ(plan->path_rules.size(), 1u);
    EXPECT_EQ(plan->path_rules[0].path, "/usr");
    EXPECT_EQ(plan->path_rules[0].allowed_access, uapi::kFsReadFile | uapi::kFsReadDir);
    EXPECT_EQ(plan->path_rules[0].span, At(3));
  }
}

TEST(PlanLandlock, WriteFileIsPairedWithTruncate) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsWriteFile, {"/tmp", "/var/tmp"}, 4)};
  Result<LandlockPlan> abi3 = PlanLandlock({rules, {}}, 3, LandlockMode::kBestEffort);
  ASSERT_TRUE(abi3.ok());
  ASSERT_EQ(abi3->path_rules.size(), 2u);
  for (const LandlockPathRule& rule : abi3->path_rules) {
    EXPECT_EQ(rule.allowed_access, uapi::kFsWriteFile | uapi::kFsTruncate) << rule.path;
  }
  // ABI 2 does not know truncate: it is masked, and listed as not enforced.
  Result<LandlockPlan> abi2 = PlanLandlock({rules, {}}, 2, LandlockMode::kBestEffort);
  ASSERT_TRUE(abi2.ok());
  EXPECT_EQ(abi2->path_rules[0].allowed_access, uapi::kFsWriteFile);
  EXPECT_THAT(DroppedNames(abi2->report), ::testing::Contains("truncate"));
}

TEST(PlanLandlock, ReferOnAbi1IsANoteNotADrop) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsRefer | uapi::kFsMakeReg, {"/srv"}, 9)};
  Result<LandlockPlan> plan = PlanLandlock({rules, {}}, 1, LandlockMode::kBestEffort);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(DroppedNames(plan->report), ::testing::Not(::testing::Contains("refer")));
  ASSERT_EQ(plan->report.notes.size(), 1u);
  EXPECT_THAT(plan->report.notes[0], HasSubstr("policy.sfp:9:1"));
  EXPECT_THAT(plan->report.notes[0], HasSubstr("EXDEV"));
  EXPECT_EQ(plan->path_rules[0].allowed_access, uapi::kFsMakeReg);
}

TEST(PlanLandlock, RuleWithOnlyUnknownRightsIsSkipped) {
  const std::vector<LandlockPathGrant> rules = {Fs(uapi::kFsIoctlDev, {"/dev/null"}, 2),
                                             Fs(uapi::kFsReadFile, {"/etc"}, 3)};
  Result<LandlockPlan> plan = PlanLandlock({rules, {}}, 4, LandlockMode::kBestEffort);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->path_rules.size(), 1u);
  EXPECT_EQ(plan->path_rules[0].path, "/etc");
  ASSERT_EQ(plan->report.notes.size(), 1u);
  EXPECT_THAT(plan->report.notes[0], HasSubstr("policy.sfp:2:1"));
}

TEST(PlanLandlock, NetRulesNeedAbi4) {
  const std::vector<LandlockPortGrant> rules = {Net(uapi::kNetBindTcp, 8080, 5),
                                              Net(uapi::kNetConnectTcp, 5432, 6),
                                              Net(uapi::kNetConnectTcp, 8080, 7)};
  Result<LandlockPlan> old = PlanLandlock({{}, rules}, 3, LandlockMode::kBestEffort);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->report.status, LandlockStatus::kNotEnforced);
  EXPECT_FALSE(old->HasRuleset());
  EXPECT_EQ(DroppedNames(old->report),
            (std::vector<std::string>{"bind-tcp", "connect-tcp", "net bind tcp 8080", "net connect tcp 5432",
                                      "net connect tcp 8080"}));
  EXPECT_EQ(old->report.dropped[3].span, At(6));

  Result<LandlockPlan> abi4 = PlanLandlock({{}, rules}, 4, LandlockMode::kRequire);
  ASSERT_TRUE(abi4.ok());
  EXPECT_EQ(abi4->report.status, LandlockStatus::kFullyEnforced);
  EXPECT_EQ(abi4->handled_fs, 0u);
  EXPECT_EQ(abi4->handled_net, uapi::kNetBindTcp | uapi::kNetConnectTcp);
  ASSERT_EQ(abi4->port_rules.size(), 2u);  // 8080 merged: bind and connect
  EXPECT_EQ(abi4->port_rules[0].port, 8080);
  EXPECT_EQ(abi4->port_rules[0].allowed_access, uapi::kNetBindTcp | uapi::kNetConnectTcp);
  EXPECT_EQ(abi4->port_rules[1].port, 5432);
  EXPECT_EQ(abi4->port_rules[1].allowed_access, uapi::kNetConnectTcp);
}

TEST(PlanLandlock, FsAndNetOnAbi3IsPartial) {
  Result<LandlockPlan> plan = PlanLandlock({{Fs(uapi::kFsReadFile, {"/etc"}, 1)}, {Net(uapi::kNetConnectTcp, 443, 2)}}, 3,
                                           LandlockMode::kBestEffort);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->report.status, LandlockStatus::kPartiallyEnforced);
  EXPECT_EQ(plan->handled_net, 0u);
  EXPECT_TRUE(plan->port_rules.empty());
}

TEST(PlanLandlock, RequireRefusesWhatTheAbiCannotEnforce) {
  const std::vector<LandlockPathGrant> fs = {Fs(uapi::kFsReadFile, {"/etc"}, 1)};
  const std::vector<LandlockPortGrant> net = {Net(uapi::kNetConnectTcp, 5432, 12)};
  Result<LandlockPlan> plan = PlanLandlock({fs, net}, 3, LandlockMode::kRequire);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(plan.error().message, HasSubstr("Landlock ABI 3"));
  EXPECT_THAT(plan.error().message, HasSubstr("ioctl-dev (needs ABI 5)"));
  EXPECT_THAT(plan.error().message, HasSubstr("net connect tcp 5432 (needs ABI 4) at policy.sfp:12:1"));
  EXPECT_THAT(plan.error().message, HasSubstr("nothing was applied"));

  EXPECT_FALSE(PlanLandlock({fs, {}}, 0, LandlockMode::kRequire).ok());
  EXPECT_FALSE(PlanLandlock({fs, {}}, 4, LandlockMode::kRequire).ok());
  EXPECT_TRUE(PlanLandlock({fs, net}, 5, LandlockMode::kRequire).ok());
}

TEST(PlanLandlock, NoLandlockIsNotEnforcedInBestEffort) {
  Result<LandlockPlan> plan = PlanLandlock({{Fs(uapi::kFsReadFile, {"/etc"}, 1)}, {}}, 0, LandlockMode::kBestEffort);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->report.status, LandlockStatus::kNotEnforced);
  EXPECT_FALSE(plan->HasRuleset());
  EXPECT_EQ(plan->report.dropped.size(), 16u);  // every right, refer included
}

TEST(PlanLandlock, NewerKernelIsPlannedAsTheNewestKnownAbi) {
  Result<LandlockPlan> plan = PlanLandlock({{Fs(uapi::kFsReadFile, {"/etc"}, 1)}, {}}, 11, LandlockMode::kRequire);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->abi, kLandlockMaxKnownAbi);
  EXPECT_EQ(plan->report.abi, 11);
  EXPECT_EQ(plan->handled_fs, kAllFs);
  ASSERT_EQ(plan->report.notes.size(), 1u);
  EXPECT_THAT(plan->report.notes[0], HasSubstr("newer than sysfence knows"));
}

TEST(PlanLandlock, ScopesAndLoggingFollowTheAbi) {
  LandlockOptions options;
  options.scope_signal = true;
  options.scope_abstract_unix_socket = true;
  options.log_new_exec_on = true;
  Result<LandlockPlan> abi5 = PlanLandlock({}, 5, LandlockMode::kBestEffort, options);
  ASSERT_TRUE(abi5.ok());
  EXPECT_EQ(abi5->report.status, LandlockStatus::kNotEnforced);
  EXPECT_EQ(DroppedNames(abi5->report),
            (std::vector<std::string>{"scope abstract-unix-socket", "scope signal"}));
  EXPECT_EQ(abi5->restrict_flags, 0u);
  EXPECT_FALSE(PlanLandlock({}, 5, LandlockMode::kRequire, options).ok());

  Result<LandlockPlan> abi6 = PlanLandlock({}, 6, LandlockMode::kRequire, options);
  ASSERT_TRUE(abi6.ok());
  EXPECT_EQ(abi6->scoped, uapi::kScopeAbstractUnixSocket | uapi::kScopeSignal);
  EXPECT_EQ(abi6->restrict_flags, 0u);
  EXPECT_THAT(abi6->report.notes, ::testing::Contains(HasSubstr("needs Landlock ABI 7")));

  Result<LandlockPlan> abi7 = PlanLandlock({}, 7, LandlockMode::kRequire, options);
  ASSERT_TRUE(abi7.ok());
  EXPECT_EQ(abi7->restrict_flags, uapi::kRestrictSelfLogNewExecOn);
}

// `run` puts every program in a domain for the walls it raises (run/isolation.h): with no fs/net
// rule the domain restricts nothing (make-block handled and granted beneath "/"); the signal scope
// where the ABI has it; a missing scope is a note, so `require` (about the policy's rules) holds.
TEST(PlanLandlock, IsolationMakesADomainThatRestrictsNothingElse) {
  LandlockOptions isolation;
  isolation.isolation = true;
  auto abi3 = PlanLandlock({}, 3, LandlockMode::kRequire, isolation);
  ASSERT_TRUE(abi3.ok()) << abi3.error().message;
  EXPECT_TRUE(abi3->HasRuleset());
  EXPECT_EQ(abi3->handled_fs, uapi::kFsMakeBlock);
  ASSERT_EQ(abi3->path_rules.size(), 1u);
  EXPECT_EQ(abi3->path_rules[0].path, "/");
  EXPECT_EQ(abi3->path_rules[0].allowed_access, uapi::kFsMakeBlock);
  EXPECT_EQ(abi3->scoped, 0u);
  EXPECT_TRUE(abi3->report.dropped.empty());
  ASSERT_FALSE(abi3->report.notes.empty());
  EXPECT_NE(abi3->report.notes[0].find("scope signal needs ABI 6"), std::string::npos);

  auto abi6 = PlanLandlock({}, 6, LandlockMode::kRequire, isolation);
  ASSERT_TRUE(abi6.ok()) << abi6.error().message;
  EXPECT_EQ(abi6->scoped, uapi::kScopeSignal);
  EXPECT_EQ(abi6->handled_fs, 0u);  // the scope alone makes the domain
  EXPECT_TRUE(abi6->path_rules.empty());

  auto none = PlanLandlock({}, 0, LandlockMode::kBestEffort, isolation);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->HasRuleset());
}

TEST(PlanLandlock, IsolationAddsTheScopeToThePolicysOwnRuleset) {
  LandlockOptions isolation;
  isolation.isolation = true;
  LandlockPathGrant read_etc;
  read_etc.access = uapi::kFsReadFile;
  read_etc.paths = {"/etc"};
  auto plan = PlanLandlock({{read_etc}, {}}, 7, LandlockMode::kRequire, isolation);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->scoped, uapi::kScopeSignal);
  EXPECT_NE(plan->handled_fs, uapi::kFsMakeBlock);  // the policy's rights, not the filler
  ASSERT_EQ(plan->path_rules.size(), 1u);
  EXPECT_EQ(plan->path_rules[0].path, "/etc");
}

TEST(LandlockReport, ToStringListsStatusAndDrops) {
  Result<LandlockPlan> plan = PlanLandlock({{Fs(uapi::kFsReadFile, {"/etc"}, 1)}, {Net(uapi::kNetBindTcp, 80, 2)}}, 3,
                                           LandlockMode::kBestEffort);
  ASSERT_TRUE(plan.ok());
  const std::string text = plan->report.ToString();
  EXPECT_THAT(text, HasSubstr("landlock: ABI 3, partially-enforced"));
  EXPECT_THAT(text, HasSubstr("not enforced: ioctl-dev (needs ABI 5)"));
  EXPECT_THAT(text, HasSubstr("not enforced: net bind tcp 80 (needs ABI 4) at policy.sfp:2:1"));
  EXPECT_THAT(text, HasSubstr("restricted fs rights: execute,write-file,read-file"));
}

TEST(LandlockMode, Names) {
  EXPECT_EQ(LandlockModeFromName("best-effort"), LandlockMode::kBestEffort);
  EXPECT_EQ(LandlockModeFromName("require"), LandlockMode::kRequire);
  EXPECT_EQ(LandlockModeFromName("strict"), std::nullopt);
  EXPECT_EQ(LandlockStatusName(LandlockStatus::kPartiallyEnforced), "partially-enforced");
}

}  // namespace
}  // namespace sysfence::os
