// SPDX-License-Identifier: Apache-2.0
// The caps, unshare and rlimit lines: parsing, errors at their token, canonical printing, checks of
// policies built in code, and uniting policies.
#include "policy/privileges.h"

#include <gtest/gtest.h>

#include "policy/checks.h"
#include "policy/lexer.h"
#include "policy/printer.h"
#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

using testing::Errors;
using testing::Parse;
using testing::Show;

Policy MustParse(std::string_view text) {
  testing::Parsed parsed = Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

std::string WithHeader(std::string_view body) { return "arch x86_64\n" + std::string(body); }

TEST(PrivilegesTest, CapabilityTableMatchesLinuxNumbers) {
  EXPECT_EQ(CapabilityFromName("CAP_CHOWN"), 0);
  EXPECT_EQ(CapabilityFromName("CAP_NET_BIND_SERVICE"), 10);
  EXPECT_EQ(CapabilityFromName("CAP_NET_RAW"), 13);
  EXPECT_EQ(CapabilityFromName("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(CapabilityFromName("CAP_CHECKPOINT_RESTORE"), kLastCapability);
  EXPECT_EQ(CapabilityFromName("cap_net_raw"), std::nullopt);
  for (const CapabilityEntry& entry : AllCapabilities()) EXPECT_EQ(CapabilityName(entry.number), entry.name);
  EXPECT_EQ(CapabilityName(63), "cap_63");
}

TEST(PrivilegesTest, ParsesCapsKeep) {
  Policy policy = MustParse(WithHeader("caps keep CAP_NET_RAW CAP_NET_BIND_SERVICE\n"));
  ASSERT_TRUE(policy.caps.has_value());
  EXPECT_EQ(policy.caps->keep, (std::vector<int>{10, 13}));  // sorted by number
  EXPECT_EQ(policy.caps->span.line, 2u);
  EXPECT_EQ(policy.caps->span.column, 1u);

  Policy none = MustParse(WithHeader("caps keep none\n"));
  ASSERT_TRUE(none.caps.has_value());
  EXPECT_TRUE(none.caps->keep.empty());
  EXPECT_FALSE(MustParse(WithHeader("")).caps.has_value());
}

TEST(PrivilegesTest, ParsesUnshare) {
  Policy policy = MustParse(WithHeader("unshare user net cgroup\n"));
  ASSERT_TRUE(policy.unshare.has_value());
  EXPECT_EQ(policy.unshare->namespaces, kNsUser | kNsNet | kNsCgroup);
  Policy all = MustParse(WithHeader("unshare net ipc uts pid mount user cgroup\n"));
  EXPECT_EQ(all.unshare->namespaces, 0x7fu);
}

TEST(PrivilegesTest, ParsesRlimits) {
  Policy policy = MustParse(WithHeader("rlimit NOFILE 256 1024\nrlimit AS 64M\nrlimit CORE 0 unlimited\n"
                                       "rlimit RLIMIT_NPROC 10\nrlimit FSIZE 2G\nrlimit STACK 8K 1T\n"));
  ASSERT_EQ(policy.rlimits.size(), 6u);
  EXPECT_EQ(policy.rlimits[0].resource, Resource::kNofile);
  EXPECT_EQ(policy.rlimits[0].soft, 256u);
  EXPECT_EQ(policy.rlimits[0].hard, 1024u);
  EXPECT_EQ(policy.rlimits[1].resource, Resource::kAs);
  EXPECT_EQ(policy.rlimits[1].soft, 64u << 20);
  EXPECT_EQ(policy.rlimits[1].hard, 64u << 20);  // HARD omitted: the same as SOFT
  EXPECT_EQ(policy.rlimits[2].soft, 0u);
  EXPECT_EQ(policy.rlimits[2].hard, kRlimitUnlimited);
  EXPECT_EQ(policy.rlimits[3].resource, Resource::kNproc);
  EXPECT_EQ(policy.rlimits[4].soft, uint64_t{2} << 30);
  EXPECT_EQ(policy.rlimits[5].soft, 8u << 10);
  EXPECT_EQ(policy.rlimits[5].hard, uint64_t{1} << 40);
  EXPECT_EQ(policy.rlimits[3].span.line, 5u);
}

TEST(PrivilegesTest, LexerReadsSizes) {
  Diagnostics diagnostics;
  std::vector<Token> tokens = Lex("64M 3K 99999999999999T 12Q", "t", diagnostics);
  EXPECT_EQ(tokens[0].kind, TokenKind::kSize);
  EXPECT_EQ(tokens[0].value, 64u << 20);
  EXPECT_EQ(tokens[1].kind, TokenKind::kSize);
  EXPECT_EQ(tokens[1].value, 3u << 10);
  EXPECT_EQ(tokens[2].kind, TokenKind::kSize);
  EXPECT_FALSE(tokens[2].valid);
  EXPECT_EQ(tokens[3].kind, TokenKind::kNumber);
  EXPECT_FALSE(tokens[3].valid);
  EXPECT_EQ(Show(diagnostics),
            "t:1:8: error: size '99999999999999T' does not fit in 64 bits\n"
            "t:1:24: error: invalid number '12Q'\n");
}

TEST(PrivilegesTest, SizesOnlyWhereTheyMeanSomething) {
  EXPECT_EQ(Errors(WithHeader("allow read if fd == 64M\n")),
            "test.sfp:2:21: error: expected a value (a number or a constant), found '64M'\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NOFILE 1K\n")),
            "test.sfp:2:15: error: a size suffix does not apply to NOFILE, whose limit is a count "
            "[write a plain number]\n");
}

TEST(PrivilegesTest, CapsErrorsAtTheirToken) {
  EXPECT_EQ(Errors(WithHeader("caps keep CAP_NET_RAWW\n")),
            "test.sfp:2:11: error: unknown capability 'CAP_NET_RAWW' [did you mean 'CAP_NET_RAW'?]\n");
  EXPECT_EQ(Errors(WithHeader("caps keep net_raw\n")),
            "test.sfp:2:11: error: unknown capability 'net_raw' [capabilities are written as capabilities(7) "
            "names them: 'CAP_NET_RAW']\n");
  EXPECT_EQ(Errors(WithHeader("caps keep CAP_KILL CAP_CHOWN CAP_KILL\n")),
            "test.sfp:2:30: error: CAP_KILL is listed twice\n");
  EXPECT_EQ(Errors(WithHeader("caps keep none CAP_KILL\n")),
            "test.sfp:2:11: error: 'none' cannot stand beside capabilities [keep the capabilities, or write "
            "'caps keep none']\n");
  EXPECT_EQ(Errors(WithHeader("caps keep\n")),
            "test.sfp:2:10: error: 'caps keep' needs capabilities or 'none', e.g. 'caps keep "
            "CAP_NET_BIND_SERVICE'\n");
  EXPECT_EQ(Errors(WithHeader("caps drop CAP_KILL\n")),
            "test.sfp:2:6: error: expected 'keep' after 'caps', found 'drop' [write 'caps keep "
            "CAP_NET_BIND_SERVICE', or 'caps keep none' to drop every capability]\n");
  EXPECT_EQ(Errors(WithHeader("caps keep none\ncaps keep CAP_KILL\n")),
            "test.sfp:3:1: error: 'caps' appears twice [the first is at test.sfp:2:1]\n");
  EXPECT_EQ(Errors(WithHeader("caps keep 13\n")), "test.sfp:2:11: error: expected a capability name, found '13'\n");
}

TEST(PrivilegesTest, UnshareErrorsAtTheirToken) {
  EXPECT_EQ(Errors(WithHeader("unshare nett\n")),
            "test.sfp:2:9: error: unknown namespace 'nett' [did you mean 'net'?]\n");
  EXPECT_EQ(Errors(WithHeader("unshare net ipc net\n")),
            "test.sfp:2:17: error: namespace 'net' is listed twice\n");
  EXPECT_EQ(Errors(WithHeader("unshare\n")),
            "test.sfp:2:8: error: 'unshare' needs at least one namespace, e.g. 'unshare net ipc'\n");
  EXPECT_EQ(Errors(WithHeader("unshare net\nunshare ipc\n")),
            "test.sfp:3:1: error: 'unshare' appears twice [the first is at test.sfp:2:1]\n");
  EXPECT_EQ(Errors(WithHeader("unshare /net\n")),
            "test.sfp:2:9: error: unknown namespace '/net' [namespaces are net ipc uts pid mount user cgroup]\n");
  // A new PID namespace without a mount namespace would keep the host's /proc.
  EXPECT_EQ(Errors(WithHeader("unshare net pid ipc\n")),
            "test.sfp:2:13: error: 'unshare pid' needs 'mount' beside it: the new PID namespace gets a /proc of its "
            "own only in a mount namespace of its own (without one, /proc would still show the host's processes) "
            "[write 'unshare pid mount']\n");
  EXPECT_EQ(Errors(WithHeader("unshare mount pid\n")), "");
}

TEST(PrivilegesTest, RlimitErrorsAtTheirToken) {
  EXPECT_EQ(Errors(WithHeader("rlimit NOFLIE 10\n")),
            "test.sfp:2:8: error: unknown resource 'NOFLIE' [did you mean 'NOFILE'?]\n");
  EXPECT_EQ(Errors(WithHeader("rlimit nofile 10\n")),
            "test.sfp:2:8: error: unknown resource 'nofile' [resources are written in capitals: 'NOFILE']\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NOFILE 2048 1024\n")),
            "test.sfp:2:15: error: soft limit 2048 is above the hard limit 1024 [the soft limit can only be "
            "raised up to the hard one]\n");
  EXPECT_EQ(Errors(WithHeader("rlimit AS unlimited 1G\n")),
            "test.sfp:2:11: error: soft limit unlimited is above the hard limit 1G [the soft limit can only be "
            "raised up to the hard one]\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NOFILE 10\nrlimit NOFILE 20\n")),
            "test.sfp:3:1: error: 'rlimit NOFILE' appears twice [the first is at test.sfp:2:1]\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NOFILE\n")),
            "test.sfp:2:14: error: 'rlimit NOFILE' needs a soft limit, e.g. 'rlimit NOFILE 1024'\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NOFILE infinity\n")),
            "test.sfp:2:15: error: expected a limit (a number or 'unlimited'), found 'infinity' [write "
            "'unlimited']\n");
  EXPECT_EQ(Errors(WithHeader("rlimit AS -1\n")),
            "test.sfp:2:11: error: expected a limit (a number, a size like 64M or 'unlimited'), found '-'\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NICE 41\n")),
            "test.sfp:2:13: error: limit 41 is out of range for NICE [NICE goes from 0 to 40]\n");
  EXPECT_EQ(Errors(WithHeader("rlimit CPU 0xffffffffffffffff\n")),
            "test.sfp:2:12: error: limit 0xffffffffffffffff is out of range for CPU [write 'unlimited' for no "
            "limit]\n");
  EXPECT_EQ(Errors(WithHeader("rlimit NOFILE 1 2 3\n")),
            "test.sfp:2:19: error: unexpected '3': expected end of line\n");
  EXPECT_EQ(Errors(WithHeader("rlimit 7 10\n")),
            "test.sfp:2:8: error: 'rlimit' needs a resource name, e.g. 'rlimit NOFILE 1024', found '7'\n");
}

TEST(PrivilegesTest, UnknownStatementSuggestsTheNewKeywords) {
  EXPECT_EQ(Errors(WithHeader("cap keep none\n")),
            "test.sfp:2:1: error: unknown statement 'cap' [did you mean 'caps'?]\n");
  EXPECT_EQ(Errors(WithHeader("rlimits NOFILE 1\n")),
            "test.sfp:2:1: error: unknown statement 'rlimits' [did you mean 'rlimit'?]\n");
}

TEST(PrivilegesTest, PrintsCanonicallyAndReadsBack) {
  const std::string text = WithHeader(
      "allow read\n"
      "rlimit CORE 0\n"
      "# only the web port\n"
      "caps keep CAP_NET_BIND_SERVICE CAP_CHOWN\n"
      "unshare cgroup net\n"
      "rlimit NOFILE 1024 4096 # sockets\n"
      "rlimit AS 1048576 unlimited\n"
      "rlimit RLIMIT_CPU 10\n");
  const Policy policy = MustParse(text);
  const std::string printed = PrintPolicy(policy);
  EXPECT_EQ(printed,
            "arch x86_64\n"
            "default errno EPERM\n"
            "badarch kill\n"
            "\n"
            "allow read\n"
            "\n"
            "# only the web port\n"
            "caps keep CAP_CHOWN CAP_NET_BIND_SERVICE\n"
            "unshare net cgroup\n"
            "rlimit CORE 0\n"
            "\n"
            "# sockets\n"
            "rlimit NOFILE 1024 4096\n"
            "rlimit AS 1M unlimited\n"
            "rlimit CPU 10\n");
  const Policy reread = MustParse(printed);
  EXPECT_EQ(reread, policy);
  EXPECT_EQ(PrintPolicy(reread), printed);
  EXPECT_EQ(PrintPolicy(MustParse(WithHeader("caps keep none\n"))).find("caps keep none\n") != std::string::npos, true);
}

TEST(PrivilegesTest, EqualityCoversTheNewLines) {
  const Policy base = MustParse(WithHeader("caps keep CAP_KILL\nunshare net\nrlimit NOFILE 10\n"));
  EXPECT_NE(base, MustParse(WithHeader("caps keep CAP_CHOWN\nunshare net\nrlimit NOFILE 10\n")));
  EXPECT_NE(base, MustParse(WithHeader("caps keep CAP_KILL\nunshare ipc\nrlimit NOFILE 10\n")));
  EXPECT_NE(base, MustParse(WithHeader("caps keep CAP_KILL\nunshare net\nrlimit NOFILE 10 11\n")));
  EXPECT_NE(base, MustParse(WithHeader("unshare net\nrlimit NOFILE 10\n")));
  EXPECT_EQ(base, MustParse(WithHeader("# c\ncaps keep CAP_KILL\nunshare net\n\nrlimit NOFILE 10 10\n")));
}

TEST(PrivilegesTest, CheckPolicyRejectsBadBuiltLines) {
  Policy policy = MustParse(WithHeader(""));
  policy.caps = CapsRule{{13, 10, 99}, {}, {}};
  policy.unshare = UnshareRule{0, {}, {}};
  policy.rlimits.push_back({Resource::kNofile, 20, 10, {}, {}});
  Policy pid_alone = MustParse(WithHeader(""));
  pid_alone.unshare = UnshareRule{kNsPid | kNsNet, {}, {}};
  Diagnostics pid_diagnostics;
  CheckPolicy(pid_alone, pid_diagnostics);
  EXPECT_NE(Show(pid_diagnostics).find("'unshare pid' needs 'mount' beside it"), std::string::npos)
      << Show(pid_diagnostics);
  policy.rlimits.push_back({Resource::kNofile, 1, 1, {}, {}});
  policy.rlimits.push_back({Resource::kRtprio, 100, 100, {}, {}});
  Diagnostics diagnostics;
  CheckPolicy(policy, diagnostics);
  const std::string shown = Show(diagnostics);
  EXPECT_NE(shown.find("capabilities to keep are not sorted and distinct"), std::string::npos) << shown;
  EXPECT_NE(shown.find("unknown capability number 99"), std::string::npos) << shown;
  EXPECT_NE(shown.find("unshare names no namespace"), std::string::npos) << shown;
  EXPECT_NE(shown.find("rlimit NOFILE: soft limit 20 is above the hard limit 10"), std::string::npos) << shown;
  EXPECT_NE(shown.find("rlimit NOFILE appears twice"), std::string::npos) << shown;
  EXPECT_NE(shown.find("limit 100 is out of range for RTPRIO"), std::string::npos) << shown;

  Diagnostics clean;
  CheckPolicy(MustParse(WithHeader("caps keep CAP_KILL\nunshare user\nrlimit RTPRIO 99\n")), clean);
  EXPECT_TRUE(clean.empty()) << Show(clean);
}

TEST(PrivilegesTest, UniteLetsThroughWhatAnyLetsThrough) {
  const std::vector<Policy> policies = {
      MustParse(WithHeader("caps keep CAP_KILL\nunshare net ipc\nrlimit NOFILE 10 20\nrlimit AS 1M\nrlimit CPU 5\n")),
      MustParse(WithHeader("caps keep CAP_CHOWN\nunshare net uts\nrlimit NOFILE 30\nrlimit CPU unlimited\n")),
  };
  Policy united;
  UnitePrivileges(policies, united);
  ASSERT_TRUE(united.caps.has_value());
  EXPECT_EQ(united.caps->keep, (std::vector<int>{0, 5}));
  ASSERT_TRUE(united.unshare.has_value());
  EXPECT_EQ(united.unshare->namespaces, kNsNet);
  ASSERT_EQ(united.rlimits.size(), 2u);  // AS is limited by one policy only: not limited
  EXPECT_EQ(united.rlimits[0].resource, Resource::kNofile);
  EXPECT_EQ(united.rlimits[0].soft, 30u);
  EXPECT_EQ(united.rlimits[0].hard, 30u);
  EXPECT_EQ(united.rlimits[1].resource, Resource::kCpu);
  EXPECT_EQ(united.rlimits[1].soft, kRlimitUnlimited);

  // A policy that leaves capabilities and namespaces alone: the union leaves them alone too.
  const std::vector<Policy> with_plain = {policies[0], MustParse(WithHeader("rlimit NOFILE 5\n"))};
  UnitePrivileges(with_plain, united);
  EXPECT_FALSE(united.caps.has_value());
  EXPECT_FALSE(united.unshare.has_value());
  ASSERT_EQ(united.rlimits.size(), 1u);
  EXPECT_EQ(united.rlimits[0].soft, 10u);
  EXPECT_EQ(united.rlimits[0].hard, 20u);

  // Disjoint namespaces: nothing is unshared by both.
  UnitePrivileges(std::vector<Policy>{MustParse(WithHeader("unshare net\n")), MustParse(WithHeader("unshare pid mount\n"))},
                  united);
  EXPECT_FALSE(united.unshare.has_value());
}

TEST(PrivilegesTest, FormatLimitUsesTheLargestExactSuffixForBytesOnly) {
  EXPECT_EQ(FormatLimit(Resource::kAs, 64u << 20), "64M");
  EXPECT_EQ(FormatLimit(Resource::kAs, (64u << 20) + 1), "67108865");
  EXPECT_EQ(FormatLimit(Resource::kAs, 1536), "1536");
  EXPECT_EQ(FormatLimit(Resource::kAs, 3072), "3K");
  EXPECT_EQ(FormatLimit(Resource::kAs, 0), "0");
  EXPECT_EQ(FormatLimit(Resource::kNofile, 1024), "1024");
  EXPECT_EQ(FormatLimit(Resource::kNofile, kRlimitUnlimited), "unlimited");
}

}  // namespace
}  // namespace sysfence::policy
