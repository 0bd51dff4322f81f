// SPDX-License-Identifier: Apache-2.0
#include "policy/amend_landlock.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/fs_access.h"
#include "policy/printer.h"
#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

Policy Parsed(std::string_view text) {
  auto parsed = testing::Parse(text);
  EXPECT_TRUE(parsed.policy.has_value()) << testing::Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

ObservedAccess Access(std::string_view line, std::string origin = "reported at ev.jsonl:2 (monitor, cat)") {
  auto access = ObservedAccessFromLine(line);
  EXPECT_TRUE(access.ok()) << access.error().message;
  ObservedAccess out = access.ok() ? *access : ObservedAccess{};
  out.origin = std::move(origin);
  return out;
}

Amendment Amend(std::string_view policy, const std::vector<ObservedAccess>& accesses) {
  return AmendPolicy(Parsed(policy), {}, accesses);
}

constexpr std::string_view kFsPolicy = "arch x86_64\ndefault allow\nfs read exec /usr /etc\nfs read write /srv/data/\n";

TEST(ObservedAccessFromLineTest, ReadsTheLinesRunSuggests) {
  ObservedAccess fs = Access("fs read-file /etc/shadow", "");
  EXPECT_EQ(fs.kind, ObservedAccess::Kind::kFs);
  EXPECT_EQ(fs.fs_access, kFsReadFile);
  EXPECT_EQ(fs.path, "/etc/shadow");
  fs = Access("fs write-file make-reg \"/srv/my data\"", "");
  EXPECT_EQ(fs.fs_access, kFsWriteFile | kFsMakeReg);
  EXPECT_EQ(fs.path, "/srv/my data");
  const ObservedAccess bind = Access("net bind tcp 8123", "");
  EXPECT_EQ(bind.kind, ObservedAccess::Kind::kNet);
  EXPECT_EQ(bind.net, NetRule::Kind::kBind);
  EXPECT_EQ(bind.port, 8123);
  EXPECT_EQ(Access("net connect tcp 9", "").net, NetRule::Kind::kConnect);
}

TEST(ObservedAccessFromLineTest, RefusesAnythingButOneFsPathOrOnePort) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fs read-file etc/shadow", "'fs read-file etc/shadow': unknown access right 'etc' (paths are absolute: '/etc')"},
      {"fs read-file \"etc/shadow\"",
       "'fs read-file \"etc/shadow\"': path \"etc/shadow\" is not absolute (fs paths start with '/')"},
      {"fs raed /etc", "'fs raed /etc': unknown access right 'raed' (did you mean 'read'?)"},
      {"fs read /etc /usr", "'fs read /etc /usr': expected one path, found 2"},
      {"net bind tcp 1 2", "'net bind tcp 1 2': expected one port, found 2"},
      {"net bind tcp 70000", "'net bind tcp 70000': port 70000 is out of range 0..65535"},
      {"allow read", "'allow read': expected an 'fs' or 'net' line"},
      {"", "'': expected an 'fs' or 'net' line"},
      {"fs read /etc\ndefault allow", "'fs read /etc\ndefault allow': a line may not hold a line break"},
      {"fs read /etc; include \"/etc/passwd\"", ""},
  };
  for (const auto& [line, message] : cases) {
    SCOPED_TRACE(line);
    auto access = ObservedAccessFromLine(line);
    ASSERT_FALSE(access.ok());
    EXPECT_EQ(access.error().code, ErrorCode::kInvalidInput);
    if (!message.empty()) {
      EXPECT_EQ(access.error().message, message);
    }
  }
}

TEST(GrantedFsAccessTest, IsTheUnionOverThePathAndItsAncestors) {
  const Policy policy = Parsed("arch x86_64\nfs read /usr\nfs exec /usr/bin/\nfs write /usr/bin/x\nfs read-dir /\n");
  EXPECT_EQ(GrantedFsAccess(policy, "/usr/bin/cat"), *FsAccessFromWord("read") | kFsExecute | kFsReadDir);
  EXPECT_EQ(GrantedFsAccess(policy, "/usr/bin"), *FsAccessFromWord("read") | kFsExecute | kFsReadDir);
  // "/usr/binary" is not beneath "/usr/bin".
  EXPECT_EQ(GrantedFsAccess(policy, "/usr/binary"), *FsAccessFromWord("read") | kFsReadDir);
  EXPECT_EQ(GrantedFsAccess(policy, "/etc"), static_cast<uint32_t>(kFsReadDir));
}

TEST(AmendLandlockTest, AddsOneCommentedRulePerPathAndPort) {
  Policy policy = Parsed(std::string(kFsPolicy) + "net connect tcp 443\n");
  const std::vector<ObservedAccess> accesses = {
      Access("fs read-file /etc2/shadow"), Access("net bind tcp 8123", "reported at ev.jsonl:3 (monitor, nc)"),
      Access("fs write-file /etc2/shadow", "reported at ev.jsonl:4 (monitor, sh)"),
      Access("net bind tcp 8123", "reported at ev.jsonl:5 (monitor, nc)")};
  const Amendment amendment = AmendPolicy(policy, {}, accesses);
  EXPECT_EQ(amendment.lines, (std::vector<std::string>{"fs read-file write-file /etc2/shadow", "net bind tcp 8123"}));
  EXPECT_TRUE(amendment.notes.empty());
  EXPECT_EQ(PrintPolicy(amendment.policy),
            "arch x86_64\n"
            "default allow\n"
            "badarch kill\n"
            "\n"
            "fs read exec /usr /etc\n"
            "fs read write /srv/data/\n"
            "\n"
            "# reported at ev.jsonl:2 (monitor, cat); reported at ev.jsonl:4 (monitor, sh)\n"
            "fs read-file write-file /etc2/shadow\n"
            "\n"
            "net connect tcp 443\n"
            "\n"
            "# reported at ev.jsonl:3 (monitor, nc); reported at ev.jsonl:5 (monitor, nc)\n"
            "net bind tcp 8123\n");
}

TEST(AmendLandlockTest, WhatTheRulesAlreadyGrantAddsNothing) {
  const Amendment amendment = Amend(std::string(kFsPolicy) + "net connect tcp 443\n",
                                    {Access("fs read-file /etc/shadow"), Access("fs make-reg /srv/data/new"),
                                     Access("fs read-dir /srv/data"), Access("net connect tcp 443")});
  EXPECT_TRUE(amendment.lines.empty());
  EXPECT_EQ(amendment.policy, Parsed(std::string(kFsPolicy) + "net connect tcp 443\n"));
}

TEST(AmendLandlockTest, OnlyTheRightsMissingAreAdded) {
  // /etc grants read: of `read-file write-file`, only write-file is missing.
  const Amendment amendment = Amend(kFsPolicy, {Access("fs read-file write-file /etc/app.conf")});
  EXPECT_EQ(amendment.lines, (std::vector<std::string>{"fs write-file /etc/app.conf"}));
}

TEST(AmendLandlockTest, AnAddedDirectoryCoversTheFilesBeneathIt) {
  const Amendment amendment =
      Amend(kFsPolicy, {Access("fs read-file /opt/app/lib.so"), Access("fs read /opt/app"),
                        Access("fs execute read-file /opt/app/bin/tool"), Access("fs read-file /opt/application")});
  EXPECT_EQ(amendment.lines, (std::vector<std::string>{"fs read /opt/app", "fs exec /opt/app/bin/tool",
                                                       "fs read-file /opt/application"}));
}

TEST(AmendLandlockTest, AmendingTwiceAddsNothingTheSecondTime) {
  const std::vector<ObservedAccess> accesses = {Access("fs read-file /var/x"), Access("net bind tcp 80"),
                                                Access("fs make-dir /var")};
  const Amendment once = AmendPolicy(Parsed(std::string(kFsPolicy) + "net bind tcp 8080\n"), {}, accesses);
  ASSERT_EQ(once.lines.size(), 3u);
  const Amendment twice = AmendPolicy(once.policy, {}, accesses);
  EXPECT_TRUE(twice.lines.empty());
  EXPECT_EQ(twice.policy, once.policy);
  // And what is printed parses back to the same policy.
  EXPECT_EQ(Parsed(PrintPolicy(once.policy)), once.policy);
}

TEST(AmendLandlockTest, KindsThePolicyDoesNotRestrictBecomeNotes) {
  const Amendment amendment = Amend("arch x86_64\ndefault allow\nnet connect tcp 443\n",
                                    {Access("fs read-file /etc/shadow"), Access("fs read-file /etc/shadow")});
  EXPECT_TRUE(amendment.lines.empty());
  EXPECT_TRUE(amendment.policy.fs_rules.empty());
  EXPECT_EQ(amendment.notes,
            (std::vector<std::string>{"# 'fs read-file /etc/shadow' was reported, but the policy has no fs rules, so "
                                      "Landlock restricts no path under it; not added: a first such rule would deny "
                                      "every path it does not name"}));
  const Amendment net = Amend(kFsPolicy, {Access("net connect tcp 9")});
  EXPECT_TRUE(net.lines.empty());
  ASSERT_EQ(net.notes.size(), 1u);
  EXPECT_NE(net.notes[0].find("'net connect tcp 9' was reported, but the policy has no net rules"), std::string::npos);
}

TEST(AmendLandlockTest, SyscallsAndAccessesAmendTogether) {
  ObservedCall call;
  call.syscall = "getpid";
  call.origin = "reported at ev.jsonl:7 (monitor, t)";
  const Amendment amendment = AmendPolicy(Parsed("arch x86_64\nallow read\nfs read /usr\n"), std::vector{call},
                                          std::vector{Access("fs read-file /etc/hosts")});
  EXPECT_EQ(amendment.lines, (std::vector<std::string>{"allow getpid", "fs read-file /etc/hosts"}));
}

}  // namespace
}  // namespace sysfence::policy
