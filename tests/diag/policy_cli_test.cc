// SPDX-License-Identifier: Apache-2.0
// The CLI contract of `sysfence check` and `sysfence fmt`: exit statuses 0/1/2, diagnostics with
// file:line:col and a caret, canonical output, atomic in-place rewrites, nothing written on errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include "tests/support/test_paths.h"

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

class PolicyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = sysfence::test_paths::SysfenceCli();
    ASSERT_TRUE(fs::exists(binary_)) << "the sysfence binary is not built: " << binary_;
    char pattern[] = "/tmp/sysfence-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  Outcome Run(const std::string& arguments) {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string command = "cd '" + dir_.string() + "' && '" + binary_.string() + "' " + arguments + " >'" +
                                out.string() + "' 2>'" + err.string() + "'";
    const int raw = std::system(command.c_str());
    Outcome outcome;
    outcome.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    outcome.out = Read(out);
    outcome.err = Read(err);
    return outcome;
  }

  fs::path binary_;
  fs::path dir_;
};

constexpr char kCanonical[] =
    "arch x86_64\n"
    "default errno EPERM\n"
    "badarch kill\n"
    "\n"
    "allow read write\n"
    "allow socket if family in {AF_INET, AF_INET6}\n";

TEST_F(PolicyCliTest, CheckCleanPolicyExitsZero) {
  Write("ok.sfp", kCanonical);
  Outcome outcome = Run("check ok.sfp");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "ok.sfp: ok\n");
  EXPECT_EQ(outcome.err, "");
}

TEST_F(PolicyCliTest, CheckWarningsExitOne) {
  Write("warn.sfp", "arch x86_64\nallow read ptrace\n");
  Outcome outcome = Run("check warn.sfp");
  EXPECT_EQ(outcome.status, 1);
  EXPECT_EQ(outcome.out, "warn.sfp: valid, with warnings\n");
  EXPECT_NE(outcome.err.find("warn.sfp:2:1: warning: ptrace is allowed"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("1 warning\n"), std::string::npos) << outcome.err;
}

TEST_F(PolicyCliTest, CheckErrorsExitTwoWithLocationSourceAndCaret) {
  Write("bad.sfp", "arch x86_64\nallow reed\nerrno 5000 write\n");
  Outcome outcome = Run("check bad.sfp");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.out, "bad.sfp: invalid\n");
  EXPECT_EQ(outcome.err,
            "bad.sfp:2:7: error: unknown syscall 'reed'\n"
            "  allow reed\n"
            "        ^~~~\n"
            "  hint: did you mean 'read'?\n"
            "bad.sfp:3:7: error: errno 5000 is out of range 1..4095\n"
            "  errno 5000 write\n"
            "        ^~~~\n"
            "  hint: use an errno name such as EPERM or ENOSYS, or a number from 1 to 4095\n"
            "2 errors\n");
}

// The hint of an OCI profile's typo stands alone after "hint: " (it once read "hint: ; did you mean").
TEST_F(PolicyCliTest, CheckOciTyposHintWithoutAStraySeparator) {
  Write("p.json", R"({"defaultAction":"SCMP_ACT_ALOW","architectures":["SCMP_ARCH_X86_46"]})");
  Outcome outcome = Run("check p.json");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.out, "p.json: invalid\n");
  EXPECT_EQ(outcome.err,
            "p.json: $.defaultAction: error: unknown action 'SCMP_ACT_ALOW'\n"
            "  hint: did you mean 'SCMP_ACT_ALLOW'?\n"
            "p.json: $.architectures[0]: error: unknown architecture 'SCMP_ARCH_X86_46'\n"
            "  hint: did you mean 'SCMP_ARCH_X86_64'?\n"
            "2 errors\n");
}

TEST_F(PolicyCliTest, CheckShowsSourceLinesOfIncludedFiles) {
  Write("inc.sfp", "allow exit_group\nallow exti\n");
  Write("top.sfp", "arch x86_64\ninclude \"inc.sfp\"\n");
  Outcome outcome = Run("check top.sfp");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_NE(outcome.err.find("inc.sfp:2:7: error: unknown syscall 'exti'\n  allow exti\n        ^~~~\n"),
            std::string::npos)
      << outcome.err;
}

TEST_F(PolicyCliTest, CheckMissingFileExitsTwo) {
  Outcome outcome = Run("check nope.sfp");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_NE(outcome.err.find("nope.sfp"), std::string::npos);
}

TEST_F(PolicyCliTest, CheckReadsOciJson) {
  Write("p.json",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]})");
  Outcome outcome = Run("check p.json");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  Write("bad.json", R"({"defaultAction": 7})");
  EXPECT_EQ(Run("check bad.json").status, 2);
}

TEST_F(PolicyCliTest, FmtPrintsCanonicalForm) {
  Write("messy.sfp", "arch   x86_64\nallow read    write\nallow socket if family in {AF_INET,AF_INET6}\n");
  Outcome outcome = Run("fmt messy.sfp");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(outcome.out, kCanonical);
}

TEST_F(PolicyCliTest, FmtCheckReportsNonCanonicalFiles) {
  Write("ok.sfp", kCanonical);
  const fs::path messy = Write("messy.sfp", "arch x86_64\nallow read   write\n");
  EXPECT_EQ(Run("fmt --check ok.sfp").status, 0);
  Outcome outcome = Run("fmt --check messy.sfp");
  EXPECT_EQ(outcome.status, 1);
  EXPECT_EQ(outcome.err, "messy.sfp: not in canonical form (run 'sysfence fmt -w messy.sfp')\n");
  EXPECT_EQ(Read(messy), "arch x86_64\nallow read   write\n") << "--check changes nothing";
  EXPECT_EQ(Run("fmt --check ok.sfp messy.sfp").status, 1);
}

TEST_F(PolicyCliTest, FmtWriteRewritesInPlace) {
  const fs::path messy = Write("messy.sfp", "arch   x86_64\nallow read    write\nallow socket if family in {AF_INET,AF_INET6}\n");
  Outcome outcome = Run("fmt -w messy.sfp");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(Read(messy), kCanonical);
  EXPECT_EQ(Run("fmt --check messy.sfp").status, 0);
  EXPECT_FALSE(fs::exists(dir_ / "messy.sfp.sysfence-tmp"));
}

TEST_F(PolicyCliTest, FmtWritesNothingForInvalidPolicies) {
  const std::string text = "arch x86_64\nallow reed   write\n";
  const fs::path bad = Write("bad.sfp", text);
  Outcome outcome = Run("fmt -w bad.sfp");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_NE(outcome.err.find("bad.sfp:2:7: error: unknown syscall 'reed'"), std::string::npos);
  EXPECT_EQ(Read(bad), text);
}

TEST_F(PolicyCliTest, FmtRefusesToRewriteIncludes) {
  Write("inc.sfp", "allow read\n");
  const std::string text = "arch x86_64\ninclude \"inc.sfp\"\n";
  const fs::path top = Write("top.sfp", text);
  Outcome outcome = Run("fmt -w top.sfp");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_NE(outcome.err.find("includes other files"), std::string::npos) << outcome.err;
  EXPECT_EQ(Read(top), text);
  // Printing expands them.
  outcome = Run("fmt top.sfp");
  EXPECT_EQ(outcome.status, 0);
  EXPECT_NE(outcome.out.find("allow read\n"), std::string::npos);
}

TEST_F(PolicyCliTest, FmtUsageErrors) {
  Write("ok.sfp", kCanonical);
  EXPECT_EQ(Run("fmt -w --check ok.sfp").status, 2);
  EXPECT_EQ(Run("fmt ok.sfp ok.sfp").status, 2);
  EXPECT_EQ(Run("fmt").status, 2);
}

TEST_F(PolicyCliTest, HelpTeaches) {
  for (const char* command : {"check", "fmt"}) {
    Outcome outcome = Run(std::string(command) + " --help");
    EXPECT_EQ(outcome.status, 0);
    EXPECT_NE(outcome.out.find("Examples:"), std::string::npos) << command;
    EXPECT_NE(outcome.out.find("Exit status"), std::string::npos) << command;
  }
}

}  // namespace
