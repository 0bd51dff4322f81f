// SPDX-License-Identifier: Apache-2.0
#include "policy/amend.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "policy/lint.h"
#include "policy/printer.h"
#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

Policy Parsed(std::string_view text) {
  auto parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

ObservedCall Call(std::string syscall, std::vector<ObservedArg> args = {}, bool conditionable = false) {
  ObservedCall call;
  call.arch = Arch::kX86_64;
  call.syscall = std::move(syscall);
  call.conditionable = conditionable || !args.empty();
  call.args = std::move(args);
  call.origin = "reported at ev.jsonl:3 (monitor, t)";
  return call;
}

// Index of the first rule printed as `line`, or -1.
int IndexOf(const Policy& policy, const std::string& line) {
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    if (PrintRule(policy.rules[i]) == line) return static_cast<int>(i);
  }
  return -1;
}

std::string Warnings(const Policy& policy) {
  Diagnostics diagnostics;
  LintPolicy(policy, diagnostics);
  return testing::Show(diagnostics);
}

TEST(AmendTest, KeepsTheObservedValuesAsConditionsAndSaysWhereTheyCameFrom) {
  const Policy policy = Parsed("arch x86_64\ndefault errno EPERM\nallow read\n");
  const ObservedCall calls[] = {Call("mmap", {{2, 5, "PROT_READ|PROT_EXEC"}}), Call("mmap", {{2, 3, "PROT_READ|PROT_WRITE"}}),
                                Call("getpid")};
  const Amendment amendment = AmendPolicy(policy, calls);
  EXPECT_EQ(amendment.lines,
            (std::vector<std::string>{"allow getpid", "allow mmap if prot in {PROT_READ|PROT_WRITE, PROT_READ|PROT_EXEC}"}));
  const int mmap = IndexOf(amendment.policy, amendment.lines[1]);
  ASSERT_GE(mmap, 0);
  EXPECT_EQ(amendment.policy.rules[mmap].comment, "reported at ev.jsonl:3 (monitor, t)");
  // The amended text parses back to the same rules.
  EXPECT_EQ(Parsed(PrintPolicy(amendment.policy)).rules, amendment.policy.rules);
}

TEST(AmendTest, KeepsCapsUnshareAndRlimitLines) {
  const Policy policy = Parsed("arch x86_64\nallow read\ncaps keep CAP_NET_RAW\nunshare net\nrlimit NOFILE 64\n");
  const ObservedCall calls[] = {Call("getpid")};
  const Amendment amendment = AmendPolicy(policy, calls);
  EXPECT_EQ(amendment.policy.caps, policy.caps);
  EXPECT_EQ(amendment.policy.unshare, policy.unshare);
  EXPECT_EQ(amendment.policy.rlimits, policy.rlimits);
  const std::string printed = PrintPolicy(amendment.policy);
  EXPECT_NE(printed.find("\ncaps keep CAP_NET_RAW\nunshare net\nrlimit NOFILE 64\n"), std::string::npos) << printed;
}

TEST(AmendTest, CallsThePolicyAlreadyAllowsAddNothing) {
  const Policy policy = Parsed("arch x86_64\ndefault errno EPERM\nallow mmap if prot == PROT_READ\nallow getpid\n");
  const ObservedCall calls[] = {Call("mmap", {{2, 1, "PROT_READ"}}), Call("getpid")};
  const Amendment amendment = AmendPolicy(policy, calls);
  EXPECT_TRUE(amendment.lines.empty());
  EXPECT_EQ(amendment.policy, policy);
}

TEST(AmendTest, ANewLineGoesBeforeTheRuleThatWouldShadowIt) {
  const Policy policy = Parsed(
      "arch x86_64\ndefault errno EPERM\nallow read\nallow fcntl if cmd == F_GETFL\nerrno ENOSYS statx\n"
      "errno EACCES fcntl\nerrno EACCES mmap if prot == PROT_EXEC\n");
  const ObservedCall calls[] = {Call("statx"), Call("fcntl", {{1, 2, "F_SETFD"}}), Call("mmap", {{2, 1, "PROT_READ"}})};
  const Amendment amendment = AmendPolicy(policy, calls);
  const int statx = IndexOf(amendment.policy, "allow statx");
  const int enosys = IndexOf(amendment.policy, "errno ENOSYS statx");
  const int fcntl = IndexOf(amendment.policy, "allow fcntl if cmd == F_SETFD");
  const int eacces = IndexOf(amendment.policy, "errno EACCES fcntl");
  ASSERT_GE(statx, 0);
  ASSERT_GE(fcntl, 0);
  EXPECT_EQ(enosys, -1);  // decided by the new line alone: the dead answer is dropped
  EXPECT_LT(fcntl, eacces);
  EXPECT_EQ(fcntl, IndexOf(amendment.policy, "allow fcntl if cmd == F_GETFL") + 1);  // beside its sibling
  const int mmap = IndexOf(amendment.policy, "allow mmap if prot == PROT_READ");
  ASSERT_GE(mmap, 0);
  EXPECT_LT(mmap, IndexOf(amendment.policy, "errno EACCES mmap if prot == PROT_EXEC"));  // a conditional denial stays
}

TEST(AmendTest, Clone3IsAllowedWhereCloneIsAllowedWhateverItsFlags) {
  const Policy policy = Parsed("arch x86_64\ndefault errno EPERM\nallow clone\nerrno ENOSYS clone3\n");
  const ObservedCall calls[] = {Call("clone3")};
  const Amendment amendment = AmendPolicy(policy, calls);
  EXPECT_EQ(amendment.lines, (std::vector<std::string>{"allow clone3"}));
  // The ENOSYS answer could never apply now: it is gone, and the result is clean.
  EXPECT_GE(IndexOf(amendment.policy, "allow clone3"), 0);
  EXPECT_EQ(IndexOf(amendment.policy, "errno ENOSYS clone3"), -1);
  EXPECT_EQ(Warnings(amendment.policy), "");
}

TEST(AmendTest, Clone3StaysEnosysWhereCloneCarriesConditionsAndCloneGetsGlibcsFallbackFlags) {
  const Policy policy = Parsed(
      "arch x86_64\ndefault errno EPERM\nallow clone if clone_flags == CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD\n"
      "errno ENOSYS clone3\n");
  const ObservedCall calls[] = {Call("clone3")};
  const Amendment amendment = AmendPolicy(policy, calls);
  EXPECT_EQ(IndexOf(amendment.policy, "allow clone3"), -1);
  EXPECT_GE(IndexOf(amendment.policy, "errno ENOSYS clone3"), 0);
  ASSERT_EQ(amendment.lines.size(), 1u);
  EXPECT_EQ(amendment.lines[0].rfind("allow clone if clone_flags in {", 0), 0u) << amendment.lines[0];
  // Both fallbacks (threads, posix_spawn) now pass; the original flags still do; others do not.
  for (uint64_t flags : {uint64_t{0x3d0f00}, uint64_t{0x4111}, uint64_t{0x1200011}}) {
    const ObservedCall fork_like[] = {Call("clone", {{0, flags, ""}})};
    EXPECT_TRUE(AmendPolicy(amendment.policy, fork_like).lines.empty()) << flags;
  }
  const ObservedCall newns[] = {Call("clone", {{0, 0x20000000 /* CLONE_NEWUSER */, ""}})};
  EXPECT_FALSE(AmendPolicy(amendment.policy, newns).lines.empty());
  EXPECT_EQ(Warnings(amendment.policy), "");
}

TEST(AmendTest, ReconcilingDropsAnAllowOfClone3WhenCloneIsRestricted) {
  // The redis case: clone restricted by flags, clone3 allowed whatever its flags.
  Policy policy = Parsed(
      "arch x86_64\ndefault errno EPERM\nallow clone if clone_flags == CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD\n"
      "allow clone3\n");
  EXPECT_NE(Warnings(policy), "");
  ReconcileCloneTwins(policy, true);
  EXPECT_EQ(IndexOf(policy, "allow clone3"), -1);
  EXPECT_GE(IndexOf(policy, "errno ENOSYS clone3"), 0);
  EXPECT_EQ(Warnings(policy), "");
}

TEST(AmendTest, AnAuditReportWithoutArgumentsNeverWidensAConditionedSyscall) {
  const Policy policy = Parsed("arch x86_64\ndefault errno EPERM\nallow mmap if prot == PROT_READ\n");
  ObservedCall audit = Call("mmap", {}, /*conditionable=*/true);
  audit.args_known = false;
  const ObservedCall calls[] = {audit, Call("getpid")};
  const Amendment amendment = AmendPolicy(policy, calls);
  EXPECT_EQ(amendment.lines, (std::vector<std::string>{"allow getpid"}));
  ASSERT_EQ(amendment.notes.size(), 1u);
  EXPECT_NE(amendment.notes[0].find("--monitor"), std::string::npos);
}

TEST(AmendTest, AnAbiThePolicyDoesNotListBecomesANote) {
  const Policy policy = Parsed("arch x86_64\ndefault errno EPERM\n");
  ObservedCall call = Call("getpid");
  call.arch = Arch::kX86;
  const Amendment amendment = AmendPolicy(policy, std::span(&call, 1));
  EXPECT_TRUE(amendment.lines.empty());
  ASSERT_EQ(amendment.notes.size(), 1u);
  EXPECT_NE(amendment.notes[0].find("add x86"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::policy
