// SPDX-License-Identifier: Apache-2.0
// `sysfence compile` end to end: formats, --stats, --caps, --arch, and bad input (exit 2, nothing
// written).
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include "tests/support/test_paths.h"

namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string Binary() { return sysfence::test_paths::SysfenceCli(); }
std::string Moby() { return sysfence::test_paths::SourceDir() + "/tests/data/moby-default.json"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

class CompileCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Exists(Binary())) << "sysfence binary not built at " << Binary();
    char pattern[] = "/tmp/sysfence-compile-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  CliRun Sysfence(const std::string& args) {
    const std::string out = dir_ + "/stdout.txt";
    const std::string err = dir_ + "/stderr.txt";
    const int raw = std::system((Binary() + " " + args + " >" + out + " 2>" + err + " </dev/null").c_str());
    CliRun run;
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run.out = ReadFile(out);
    run.err = ReadFile(err);
    return run;
  }

  std::string dir_;
};

constexpr const char* kPolicy = "arch x86_64\ndefault errno EPERM\nallow read write exit_group\n";

TEST_F(CompileCli, WritesRawBpf) {
  const std::string policy = Write("p.sfp", kPolicy);
  CliRun run = Sysfence("compile " + policy + " -o " + dir_ + "/p.bpf");
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string bpf = ReadFile(dir_ + "/p.bpf");
  EXPECT_GT(bpf.size(), 0u);
  EXPECT_EQ(bpf.size() % 8, 0u);
  EXPECT_FALSE(Exists(dir_ + "/p.bpf.sysfence-tmp"));
}

TEST_F(CompileCli, StatsForMobyAreSane) {
  CliRun run = Sysfence("compile " + Moby() + " --arch x86_64 --kernel 6.1 --stats");
  ASSERT_EQ(run.status, 0) << run.err;
  const nlohmann::json stats = nlohmann::json::parse(run.out);
  for (const char* key : {"instructions", "worst_path", "mean_path", "allows", "cacheable_allows"}) {
    ASSERT_TRUE(stats.contains(key)) << key << " in " << run.out;
  }
  const size_t instructions = stats["instructions"];
  EXPECT_GT(instructions, 10u);
  EXPECT_LE(instructions, 4096u);
  EXPECT_LE(stats["worst_path"].get<size_t>(), instructions);
  EXPECT_GT(stats["worst_path"].get<size_t>(), 2u);
  EXPECT_LE(stats["mean_path"].get<double>(), stats["worst_path"].get<double>());
  EXPECT_GT(stats["allows"].get<size_t>(), 300u);
  EXPECT_LE(stats["cacheable_allows"].get<size_t>(), stats["allows"].get<size_t>());
  // More capabilities allow more syscalls.
  CliRun admin = Sysfence("compile " + Moby() + " --arch x86_64 --kernel 6.1 --caps CAP_SYS_ADMIN,CAP_SYS_BOOT --stats");
  ASSERT_EQ(admin.status, 0) << admin.err;
  EXPECT_GT(nlohmann::json::parse(admin.out)["allows"].get<size_t>(), stats["allows"].get<size_t>());
}

TEST_F(CompileCli, EveryFormatIsSelectable) {
  const std::string policy = Write("web.sfp", kPolicy);
  const std::vector<std::pair<std::string, std::string>> formats = {
      {"disasm", "ret"},
      {"c", "struct sock_fprog web_fprog"},
      {"json", "\"defaultAction\": \"SCMP_ACT_ERRNO\""},
      {"k8s", "kind: SeccompProfile"},
      {"k8s-json", "\"kind\": \"SeccompProfile\""},
      {"systemd", "SystemCallFilter=exit_group read write"},
  };
  for (const auto& [format, marker] : formats) {
    const std::string out = dir_ + "/out." + format;
    CliRun run = Sysfence("compile " + policy + " --format " + format + " -o " + out);
    ASSERT_EQ(run.status, 0) << format << ": " << run.err;
    EXPECT_NE(ReadFile(out).find(marker), std::string::npos) << format << ":\n" << ReadFile(out);
  }
  // The OCI export reads back with the same meaning as JSON input.
  CliRun again = Sysfence("compile " + dir_ + "/out.json --arch x86_64 --format systemd");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("SystemCallFilter=exit_group read write"), std::string::npos) << again.out;
}

TEST_F(CompileCli, BadInputWritesNothingAndExits2) {
  const std::string out = dir_ + "/out.bpf";
  const std::string bad_json =
      Write("bad.json", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"ALLOW"}]})");
  CliRun run = Sysfence("compile " + bad_json + " -o " + out);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("$.syscalls[0].action"), std::string::npos) << run.err;
  EXPECT_FALSE(Exists(out));
  // An existing output stays as it was.
  Write("out.bpf", "keep");
  const std::string malformed = Write("malformed.json", "{\"defaultAction\": [");
  CliRun broken = Sysfence("compile " + malformed + " -o " + out);
  EXPECT_EQ(broken.status, 2);
  EXPECT_NE(broken.err.find("malformed JSON"), std::string::npos) << broken.err;
  EXPECT_EQ(ReadFile(out), "keep");
  const std::string policy = Write("p.sfp", kPolicy);
  EXPECT_EQ(Sysfence("compile " + policy + " --format yaml -o " + out).status, 2);
  CliRun arch = Sysfence("compile " + policy + " --arch x86_46 -o " + out);
  EXPECT_EQ(arch.status, 2);
  EXPECT_NE(arch.err.find("did you mean 'x86_64'"), std::string::npos) << arch.err;
  EXPECT_EQ(Sysfence("compile " + dir_ + "/missing.sfp -o " + out).status, 2);
  // systemd cannot express argument conditions: refused, nothing written.
  const std::string conditional = Write("c.json", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
      {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]})");
  CliRun systemd = Sysfence("compile " + conditional + " --format systemd -o " + dir_ + "/unit.conf");
  EXPECT_EQ(systemd.status, 2);
  EXPECT_NE(systemd.err.find("argument conditions"), std::string::npos) << systemd.err;
  EXPECT_FALSE(Exists(dir_ + "/unit.conf"));
  EXPECT_EQ(ReadFile(out), "keep");
}

TEST_F(CompileCli, WarningsGiveExitStatus1AndStillWrite) {
  const std::string json =
      Write("w.json", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","no_such_call"],"action":"SCMP_ACT_ALLOW"}]})");
  CliRun run = Sysfence("compile " + json + " --arch x86_64 -o " + dir_ + "/w.bpf");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("no_such_call"), std::string::npos) << run.err;
  EXPECT_TRUE(Exists(dir_ + "/w.bpf"));
}

TEST_F(CompileCli, RefusesBinaryToATerminal) {
  const std::string policy = Write("p.sfp", kPolicy);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(Binary().c_str(), "sysfence", "compile", policy.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string output;
  char buffer[512];
  for (ssize_t n; (n = read(master, buffer, sizeof(buffer))) > 0;) output.append(buffer, static_cast<size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("terminal"), std::string::npos) << output;
}

TEST_F(CompileCli, HelpTeaches) {
  CliRun run = Sysfence("compile --help");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("Examples:"), std::string::npos);
  EXPECT_NE(run.out.find("--stats"), std::string::npos);
}

}  // namespace
