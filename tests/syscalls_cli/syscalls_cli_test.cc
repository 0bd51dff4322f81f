// SPDX-License-Identifier: Apache-2.0
// `sysfence syscalls` end to end: output, JSON, and exit status 2 with a suggestion on bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include "tests/support/test_paths.h"

namespace {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

std::string Binary() {
  return sysfence::test_paths::SysfenceCli();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs `sysfence ARGS` (ARGS are shell words written by the tests) capturing stdout and stderr.
CliResult RunSysfence(const std::string& args) {
  char err_path[] = "/tmp/sysfence-syscalls-cli-XXXXXX";
  const int fd = mkstemp(err_path);
  EXPECT_GE(fd, 0);
  close(fd);
  CliResult result;
  const std::string command = Binary() + " " + args + " 2>" + err_path;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = Slurp(err_path);
  unlink(err_path);
  return result;
}

class SyscallsCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(access(Binary().c_str(), X_OK), 0) << "build the sysfence binary: " << Binary(); }
};

TEST_F(SyscallsCliTest, ResolvesANameOnEveryAbi) {
  const CliResult r = RunSysfence("syscalls openat");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("x86_64    257"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x32       0x40000101"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("aarch64   56"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flags     int           32-bit scalar"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("@file-system"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(SyscallsCliTest, ResolvesNumbers) {
  CliResult r = RunSysfence("syscalls --arch aarch64 56");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("aarch64 56 = openat", 0), 0u) << r.out;
  r = RunSysfence("syscalls 0x40000000");  // the x32 bit selects x32
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("= read"), std::string::npos) << r.out;
}

TEST_F(SyscallsCliTest, ListsATable) {
  const CliResult r = RunSysfence("syscalls --arch arm64");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# aarch64 (AUDIT_ARCH 0xc00000b7)"), std::string::npos);
  EXPECT_NE(r.out.find("        56  openat(int dfd [32], const char * filename"), std::string::npos) << r.out;
}

TEST_F(SyscallsCliTest, ShowsAGroupExpanded) {
  const CliResult r = RunSysfence("syscalls @privileged");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("includes: @chown"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" setresuid "), std::string::npos) << r.out;  // from @setuid
  const CliResult groups = RunSysfence("syscalls --groups");
  EXPECT_EQ(groups.status, 0);
  EXPECT_NE(groups.out.find("@system-service"), std::string::npos);
}

TEST_F(SyscallsCliTest, Json) {
  CliResult r = RunSysfence("syscalls openat --json");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["numbers"]["x32"], 0x40000101u);
  EXPECT_EQ(j["numbers"]["x86_64"], 257);
  EXPECT_EQ(j["args"][1]["kind"], "pointer");
  EXPECT_EQ(j["args"][2]["width"], 32);

  r = RunSysfence("syscalls --constants AF --json");
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  ASSERT_GT(j.size(), 20u);
  for (const auto& constant : j) EXPECT_EQ(constant["family"], "AF");

  r = RunSysfence("syscalls @memory --arch aarch64 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["numbers"]["mmap"], 222);
  EXPECT_FALSE(j["numbers"].contains("mmap2"));  // not on aarch64
}

TEST_F(SyscallsCliTest, Constants) {
  const CliResult r = RunSysfence("syscalls --constants TIOCSTI");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("0x5412"), std::string::npos) << r.out;
}

TEST_F(SyscallsCliTest, BadInputExits2WithASuggestion) {
  struct Case {
    const char* args;
    const char* message;
  };
  const Case cases[] = {
      {"syscalls opnat", "unknown syscall 'opnat'; did you mean 'openat'?"},
      {"syscalls --arch arm46 openat", "unknown arch 'arm46'; did you mean 'arm64'?"},
      {"syscalls @file-sytem", "unknown group '@file-sytem'; did you mean '@file-system'?"},
      {"syscalls --constants SOKC", "did you mean 'SOCK'?"},
      {"syscalls --arch x86_64 99999", "no syscall number 99999 on x86_64"},
      {"syscalls --arch x32 0", "x32 numbers carry the x32 bit"},
      {"syscalls --groups openat", "give one of"},
  };
  for (const Case& c : cases) {
    const CliResult r = RunSysfence(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args << ": " << r.out;
  }
  const CliResult usage = RunSysfence("syscalls --no-such-flag");
  EXPECT_EQ(usage.status, 2);
}

TEST_F(SyscallsCliTest, HelpTeaches) {
  const CliResult r = RunSysfence("syscalls --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Example"), std::string::npos);
  EXPECT_NE(r.out.find("--constants"), std::string::npos);
}

}  // namespace
