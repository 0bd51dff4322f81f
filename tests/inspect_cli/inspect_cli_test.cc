// SPDX-License-Identifier: Apache-2.0
// `sysfence decompile`, `lint` and `diff` through the built binary on files: outputs, exit statuses,
// one-line errors for bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bpf/raw_file.h"
#include "bpf/text_assembler.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

using testsupport::RunSysfence;
using testsupport::TempDir;

std::string Data(const std::string& name) { return test_paths::SourceDir() + "/tests/data/" + name; }

TEST(InspectCliTest, LintOfTheSeedsBrokenFilterNamesBothErrors) {
  const auto result = RunSysfence({"lint", Data("seeds-broken.asm")});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_NE(result.out.find("instruction 0: error: the filter allows every call"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("[no-arch-check]"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("fix: "), std::string::npos);
  const auto json = RunSysfence({"lint", Data("seeds-broken.asm"), "--format", "json"});
  EXPECT_EQ(json.exit_status, 1);
  EXPECT_EQ(nlohmann::json::parse(json.out)["errors"].get<int>(), 3);
  const auto sarif = RunSysfence({"lint", Data("seeds-broken.asm"), "--format", "sarif"});
  EXPECT_EQ(nlohmann::json::parse(sarif.out)["version"], "2.1.0");
}

TEST(InspectCliTest, LintOfAPolicyPointsAtTheDecidingLine) {
  TempDir dir;
  const std::string path = dir.Write("p.sfp", "arch x86_64\ndefault errno EPERM\nallow read\nallow ptrace\n");
  const auto result = RunSysfence({"lint", path});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_NE(result.out.find(path + ":4:1: warning: x86_64 ptrace is allowed"), std::string::npos) << result.out;
  const auto clean = RunSysfence({"lint", dir.Write("q.sfp", "arch x86_64\nallow read write\n")});
  EXPECT_EQ(clean.exit_status, 0) << clean.out;
  EXPECT_NE(clean.out.find("no findings"), std::string::npos);
}

TEST(InspectCliTest, DecompileWritesAPolicyThatCompilesAndDiffsEqual) {
  TempDir dir;
  const std::string out = dir.path() + "/vsftpd.sfp";
  const auto result = RunSysfence({"decompile", Data("vsftpd-prelogin.asm"), "-o", out});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.err.find("Proven"), std::string::npos) << result.err;
  const auto diff = RunSysfence({"diff", Data("vsftpd-prelogin.asm"), out});
  EXPECT_EQ(diff.exit_status, 0) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("same decisions on every input"), std::string::npos);
  const auto check = RunSysfence({"check", out});
  EXPECT_LE(check.exit_status, 1) << check.err;  // warnings only (vsftpd answers with kill-thread)
  EXPECT_EQ(check.err.find("error:"), std::string::npos) << check.err;
}

TEST(InspectCliTest, DecompileSaysWhatItCannotExpress) {
  const auto result = RunSysfence({"decompile", Data("tor-sandbox.asm")});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_NE(result.out.find("# A policy cannot express"), std::string::npos);
  EXPECT_NE(result.out.find("a pointer (a policy cannot compare pointers)"), std::string::npos);
  EXPECT_NE(result.err.find("NOT equivalent"), std::string::npos) << result.err;
}

TEST(InspectCliTest, DiffOfDockersProfileAndARecordingGroupsByAbi) {
  const auto result = RunSysfence({"diff", Data("moby-default.json"), Data("recorded-busybox.sfp")});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_EQ(result.out.rfind("--- ", 0), 0u);
  EXPECT_NE(result.out.find("@@ x86_64 @@\n"), std::string::npos);
  EXPECT_NE(result.out.find("- allow socket if family <= 37\n+ errno EPERM socket if family <= 37\n"), std::string::npos)
      << result.out.substr(0, 2000);
  EXPECT_NE(result.out.find("@@ x86 @@\n"), std::string::npos);
  const auto json = RunSysfence({"diff", Data("moby-default.json"), Data("recorded-busybox.sfp"), "--json"});
  EXPECT_EQ(json.exit_status, 1);
  EXPECT_FALSE(nlohmann::json::parse(json.out)["same"].get<bool>());
}

TEST(InspectCliTest, BadInputIsOneClearErrorWithStatusTwo) {
  TempDir dir;
  const std::string truncated = dir.Write("t.bpf", std::string("\x06\x00\x00\x00\x00\x00\xff", 7));
  const std::string invalid = dir.Write("i.bpf", bpf::SerializeRawBpf({{0x28, 0, 0, 0}, {0x06, 0, 0, 0x7fff0000}}));
  // Valid instructions the kernel refuses: no final ret.
  const std::string refused = dir.Write("r.bpf", bpf::SerializeRawBpf({{0x20, 0, 0, 0}}));
  const std::string unread = dir.Write("m.bpf", bpf::SerializeRawBpf({{0x60, 0, 0, 3}, {0x16, 0, 0, 0}}));
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"decompile", truncated}, "not a multiple of 8"},
      {{"lint", invalid}, "opcode"},
      {{"diff", refused, Data("vsftpd-prelogin.asm")}, "the kernel would refuse this program"},
      {{"decompile", unread}, "the kernel would refuse this program"},
      {{"lint", dir.path() + "/missing.bpf"}, "missing.bpf"},
      {{"diff", Data("moby-default.json")}, "diff compares two filters"},
      {{"decompile", "--pid", "999999999"}, "no such process"},
      {{"lint", "--filter", "1", Data("seeds-broken.asm")}, "--filter selects one filter of a process"},
      {{"lint", Data("seeds-broken.asm"), "--format", "xml"}, "--format: 'xml' is not one of text, json, sarif"},
  };
  for (const Case& c : cases) {
    const auto result = RunSysfence(c.args);
    EXPECT_EQ(result.exit_status, 2) << c.args[0] << " " << c.args[1] << ": " << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
}

}  // namespace
}  // namespace sysfence
