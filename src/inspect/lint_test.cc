// SPDX-License-Identifier: Apache-2.0
#include "inspect/lint.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "inspect/inspect_test_util.h"

namespace sysfence::inspect {
namespace {

using testing::Assemble;
using testing::CompilePolicy;
using testing::DataFile;

std::vector<Finding> Lint(const FilterStack& stack, LintOptions options = {}) {
  auto findings = LintStack(stack, options);
  EXPECT_TRUE(findings.ok()) << findings.error().message;
  return findings.ok() ? *findings : std::vector<Finding>{};
}

const Finding* Find(const std::vector<Finding>& findings, std::string_view check) {
  auto it = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.check == check; });
  return it == findings.end() ? nullptr : &*it;
}

TEST(LintTest, TheSeedsBrokenFilterAllowsEverythingAndChecksNoArch) {
  const std::vector<Finding> findings = Lint({Assemble(DataFile("seeds-broken.asm"))});
  const Finding* all = Find(findings, "allows-everything");
  const Finding* arch = Find(findings, "no-arch-check");
  ASSERT_NE(all, nullptr);
  ASSERT_NE(arch, nullptr);
  EXPECT_EQ(all->severity, Severity::kError);
  EXPECT_EQ(all->instruction, 0u);
  EXPECT_EQ(arch->severity, Severity::kError);
  const Finding* dead = Find(findings, "unreachable");
  ASSERT_NE(dead, nullptr);
  EXPECT_EQ(dead->instruction, 1u);
  EXPECT_NE(dead->message.find("1-5"), std::string::npos);
}

TEST(LintTest, OurCompiledAllowListIsClean) {
  const std::vector<Finding> findings = Lint({CompilePolicy("arch x86_64\ndefault errno EPERM\nallow read write exit_group\n")});
  EXPECT_TRUE(findings.empty()) << findings.front().check << ": " << findings.front().message;
}

TEST(LintTest, NumberBeforeArchIsAnError) {
  const std::vector<Finding> findings = Lint({Assemble(
      "ld [nr]\njeq #59, k, go\ngo: ld [arch]\njeq #0xc000003e, n, k\nn: ld [nr]\njeq #0, a, k\na: ret allow\nk: ret kill\n")});
  const Finding* f = Find(findings, "arch-check-after-nr");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->instruction, 0u);
  EXPECT_EQ(Find(findings, "no-arch-check"), nullptr);
}

TEST(LintTest, X32NumbersThroughADenyList) {
  const std::vector<Finding> findings = Lint({Assemble(
      "ld [arch]\njeq #0xc000003e, n, k\nn: ld [nr]\njeq #59, k, a\na: ret allow\nk: ret kill\n")});
  const Finding* f = Find(findings, "x32-under-x86_64");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->syscall, "execve");
  ASSERT_TRUE(f->witness.has_value());
  EXPECT_EQ(static_cast<uint32_t>(f->witness->nr) & kX32SyscallBit, kX32SyscallBit);
  EXPECT_NE(Find(findings, "default-allows"), nullptr);
  EXPECT_NE(Find(findings, "dangerous-syscall"), nullptr);
}

TEST(LintTest, ErrnoZeroAndTrace) {
  const std::vector<Finding> findings = Lint({Assemble(
      "ld [arch]\njeq #0xc000003e, n, k\nn: ld [nr]\njeq #1, z, t\nz: ret errno(0)\nt: jeq #2, tr, k\ntr: ret trace\nk: ret kill\n")});
  const Finding* zero = Find(findings, "errno-zero");
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(zero->instruction, 4u);
  EXPECT_EQ(zero->syscall, "write");
  ASSERT_NE(Find(findings, "trace-without-tracer"), nullptr);
  LintOptions traced;
  traced.tracer_attached = true;
  EXPECT_EQ(Find(Lint({Assemble("ld [arch]\njeq #0xc000003e, t, k\nt: ret trace\nk: ret kill\n")}, traced),
                 "trace-without-tracer"),
            nullptr);
}

TEST(LintTest, HalvesOfArgumentsInRealFilters) {
  // sshd compares mmap's 32-bit prot on both halves; vsftpd compares fcntl's 64-bit arg on one.
  const std::vector<Finding> sshd = Lint({Assemble(DataFile("sshd-preauth.asm"))});
  const Finding* upper = Find(sshd, "upper-half-compared");
  ASSERT_NE(upper, nullptr);
  EXPECT_EQ(upper->syscall, "mmap");
  ASSERT_TRUE(upper->instruction.has_value());
  const std::vector<Finding> vsftpd = Lint({Assemble(DataFile("vsftpd-prelogin.asm"))});
  EXPECT_TRUE(std::any_of(vsftpd.begin(), vsftpd.end(), [](const Finding& f) {
    return f.check == "one-half-compared" && f.syscall == "fcntl" && f.instruction.has_value();
  }));
}

TEST(LintTest, DangerousSyscallsAndNewUserNamespaces) {
  const std::vector<Finding> findings = Lint({CompilePolicy(
      "arch x86_64\ndefault errno EPERM\nallow ptrace bpf\nallow unshare if (unshare_flags & CLONE_NEWNET) != 0\n"
      "allow clone if (clone_flags & CLONE_NEWUSER) == 0\n")});
  std::vector<std::string> named;
  for (const Finding& f : findings) {
    if (f.check == "dangerous-syscall") named.push_back(f.syscall);
  }
  EXPECT_NE(std::find(named.begin(), named.end(), "ptrace"), named.end());
  EXPECT_NE(std::find(named.begin(), named.end(), "bpf"), named.end());
  EXPECT_NE(std::find(named.begin(), named.end(), "unshare"), named.end());  // NEWNET|NEWUSER passes
  EXPECT_EQ(std::find(named.begin(), named.end(), "clone"), named.end());    // NEWUSER denied
}

TEST(LintTest, AllowsAfterArgumentLoadsAreNotCacheable) {
  const std::vector<Finding> findings = Lint({Assemble(
      "ld [arch]\njeq #0xc000003e, n, k\nn: ld [args[0].lo]\nld [nr]\njeq #0, a, k\na: ret allow\nk: ret kill\n")});
  const Finding* f = Find(findings, "uncacheable-allow");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("read"), std::string::npos);
}

TEST(LintTest, JsonAndSarifCarryEveryFinding) {
  const std::vector<Finding> findings = Lint({Assemble(DataFile("seeds-broken.asm"))});
  const auto json = nlohmann::json::parse(FindingsJson(findings, {}));
  EXPECT_EQ(json["findings"].size(), findings.size());
  EXPECT_EQ(json["errors"].get<int>(), 3);
  const auto sarif = nlohmann::json::parse(FindingsSarif(findings, {{2, 1}}, "seeds.bpf"));
  // SARIF 2.1.0's required structure: version, runs[].tool.driver.name, results[].message.text.
  EXPECT_EQ(sarif["version"], "2.1.0");
  ASSERT_EQ(sarif["runs"].size(), 1u);
  EXPECT_EQ(sarif["runs"][0]["tool"]["driver"]["name"], "sysfence");
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), findings.size());
  for (const auto& result : results) {
    EXPECT_TRUE(result["message"]["text"].is_string());
    EXPECT_TRUE(result["ruleId"].is_string());
    const auto& rules = sarif["runs"][0]["tool"]["driver"]["rules"];
    EXPECT_EQ(rules[result["ruleIndex"].get<size_t>()]["id"], result["ruleId"]);
    EXPECT_GE(result["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>(), 1);
  }
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
}

}  // namespace
}  // namespace sysfence::inspect
