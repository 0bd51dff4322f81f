// SPDX-License-Identifier: Apache-2.0
// Inputs and outputs that must not hurt, for every command: outputs never replace what is not a
// regular file and never report a failed write as success; inputs are bounded (size, rules, set
// values, diagnostics, name lengths), and a directory, device or out-of-range JSON number is one
// clear error with exit status 2.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace {

namespace fs = std::filesystem;
using sysfence::testsupport::CliResult;
using sysfence::testsupport::RunSysfence;
using sysfence::testsupport::TempDir;

constexpr char kPolicy[] = "arch x86_64\ndefault kill\nallow read write exit_group\n";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool IsSymlink(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// The files of `dir` other than `keep`: leftovers such as temporary files.
std::vector<std::string> OtherFiles(const std::string& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> others;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) others.push_back(name);
  }
  return others;
}

class CliOutputs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    policy_ = dir_.Write("p.sfp", kPolicy);
    const CliResult reference = RunSysfence({"compile", policy_, "--format", "disasm"});
    ASSERT_EQ(reference.exit_status, 0) << reference.err;
    expected_ = reference.out;
  }

  TempDir dir_;
  std::string policy_;
  std::string expected_;  // what `compile --format disasm` prints
};

TEST_F(CliOutputs, SymlinkIsWrittenThroughAndSurvives) {
  const std::string target = dir_.Write("target.txt", "old content\n");
  const std::string link = dir_.path() + "/link.txt";
  ASSERT_EQ(symlink("target.txt", link.c_str()), 0);
  const CliResult result = RunSysfence({"compile", policy_, "--format", "disasm", "-o", link});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_TRUE(IsSymlink(link)) << "the symlink was replaced";
  EXPECT_EQ(ReadFile(target), expected_);
}

TEST_F(CliOutputs, FifoIsWrittenThroughNotReplaced) {
  const std::string fifo = dir_.path() + "/out.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A reader is there first, so the writer's open does not block; the output fits the pipe buffer.
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  const CliResult result = RunSysfence({"compile", policy_, "--format", "disasm", "-o", fifo});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  std::string got;
  char buffer[4096];
  for (ssize_t n; (n = read(reader, buffer, sizeof buffer)) > 0;) got.append(buffer, static_cast<size_t>(n));
  close(reader);
  struct stat st {};
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced by a regular file";
  EXPECT_EQ(got, expected_);
}

TEST_F(CliOutputs, CharacterDeviceIsWrittenThroughNotReplaced) {
  // Our own node for /dev/null (1:3) in the temp folder, so a regression harms nothing.
  const std::string node = dir_.path() + "/null";
  if (mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    GTEST_SKIP() << "cannot create a device node (needs root and CAP_MKNOD) [feature: mknod]: " << std::strerror(errno);
  }
  const int probe = open(node.c_str(), O_WRONLY);
  if (probe < 0)
    GTEST_SKIP() << "device nodes do not work here (nodev mount?) [feature: mknod]: " << std::strerror(errno);
  close(probe);
  for (const char* format : {"bpf", "disasm", "json"}) {
    const CliResult result = RunSysfence({"compile", policy_, "--format", format, "-o", node});
    EXPECT_EQ(result.exit_status, 0) << format << ": " << result.err;
    struct stat st {};
    ASSERT_EQ(lstat(node.c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << format << ": the device node was replaced";
  }
  EXPECT_EQ(OtherFiles(dir_.path(), {"p.sfp", "null"}), std::vector<std::string>{});
}

TEST_F(CliOutputs, FullDeviceIsAnEnvironmentErrorNamingTheFile) {
  // Through a symlink of our own, so that even a regression (rename) touches only the link.
  const std::string link = dir_.path() + "/full";
  ASSERT_EQ(symlink("/dev/full", link.c_str()), 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"compile", policy_, "-o", link},
        std::vector<std::string>{"compile", policy_, "--format", "json", "-o", link},
        std::vector<std::string>{"merge", policy_, "-o", link}}) {
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 3) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("cannot write '" + link + "': No space left on device"), std::string::npos)
        << result.err;
    EXPECT_TRUE(IsSymlink(link));
  }
}

TEST_F(CliOutputs, FullStandardOutputIsAnError) {
  const std::string command = "'" + sysfence::testsupport::SysfenceBinary() + "' compile '" + policy_ +
                              "' --format disasm >/dev/full 2>'" + dir_.path() + "/err.txt'";
  const int raw = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 3);
  EXPECT_NE(ReadFile(dir_.path() + "/err.txt").find("cannot write standard output"), std::string::npos);
}

TEST_F(CliOutputs, RegularFileIsReplacedAtomicallyKeepingItsMode) {
  const std::string out = dir_.Write("out.txt", "old\n");
  ASSERT_EQ(chmod(out.c_str(), 0640), 0);
  const CliResult result = RunSysfence({"compile", policy_, "--format", "disasm", "-o", out});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(ReadFile(out), expected_);
  struct stat st {};
  ASSERT_EQ(lstat(out.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(OtherFiles(dir_.path(), {"p.sfp", "out.txt"}), std::vector<std::string>{}) << "temporary file left";
}

TEST_F(CliOutputs, FmtWriteKeepsASymlink) {
  const std::string target = dir_.Write("real.sfp", "arch x86_64\ndefault kill\nallow   read\n");
  const std::string link = dir_.path() + "/link.sfp";
  ASSERT_EQ(symlink("real.sfp", link.c_str()), 0);
  const CliResult canonical = RunSysfence({"fmt", target});
  ASSERT_EQ(canonical.exit_status, 0) << canonical.err;
  const CliResult result = RunSysfence({"fmt", "-w", link});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_TRUE(IsSymlink(link));
  EXPECT_EQ(ReadFile(target), canonical.out);
}

TEST_F(CliOutputs, DirectoryOrMissingFolderIsBadInputAndNothingIsWritten) {
  CliResult result = RunSysfence({"compile", policy_, "-o", dir_.path()});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("is a directory"), std::string::npos) << result.err;
  result = RunSysfence({"compile", policy_, "-o", dir_.path() + "/missing/out.bpf"});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_FALSE(fs::exists(dir_.path() + "/missing"));
}

// Every command that reads a policy (or program) from a path.
std::vector<std::vector<std::string>> ReadingCommands(const std::string& input) {
  return {{"check", input},   {"compile", input}, {"fmt", input},     {"disasm", input},
          {"eval", input, "read"}, {"merge", input}, {"landlock", input}};
}

TEST(CliInputs, DirectoryIsBadInputForEveryCommand) {
  TempDir dir;
  for (const std::vector<std::string>& args : ReadingCommands(dir.path())) {
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 2) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("is a directory"), std::string::npos) << args[0] << ": " << result.err;
  }
}

TEST(CliInputs, DeviceIsBadInputForEveryCommand) {
  for (const std::vector<std::string>& args : ReadingCommands("/dev/zero")) {
    const auto start = std::chrono::steady_clock::now();
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 2) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("'/dev/zero': it is a character device"), std::string::npos)
        << args[0] << ": " << result.err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << args[0] << " read the device";
  }
  const CliResult weights = RunSysfence({"compile", "--weights", "/dev/zero", "-"}, kPolicy);
  EXPECT_EQ(weights.exit_status, 2) << weights.err;
}

TEST(CliInputs, InputOverTheSizeLimitIsRefused) {
  TempDir dir;
  const std::string big = dir.path() + "/big.sfp";
  {
    std::ofstream out(big, std::ios::binary);
    out << kPolicy;
  }
  fs::resize_file(big, (size_t{16} << 20) + 1);  // sparse: costs no disk
  for (const std::vector<std::string>& args : ReadingCommands(big)) {
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 2) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("larger than the 16 MiB input limit"), std::string::npos) << args[0] << ": "
                                                                                         << result.err;
  }
  // Standard input counts too (a pipe of the limit plus one byte). The CLI stops reading early, so
  // writing the rest must not kill this test with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const CliResult piped = RunSysfence({"check", "-"}, std::string((size_t{16} << 20) + 1, '#'));
  EXPECT_EQ(piped.exit_status, 2) << piped.err;
  EXPECT_NE(piped.err.find("'<stdin>' is larger than the 16 MiB input limit"), std::string::npos) << piped.err;
}

TEST(CliInputs, JsonNumberOutOfRangeIsADiagnosticWithItsPath) {
  TempDir dir;
  const std::string oci = dir.Write(
      "p.json", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"],)"
                R"( "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1e400, "op": "SCMP_CMP_EQ"}]}]})");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"check", oci}, {"compile", oci}, {"fmt", oci}, {"disasm", oci},
                                             {"eval", oci, "read"}, {"merge", oci}, {"landlock", oci}}) {
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 2) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("$.syscalls[0].args[0].value: number 1e400 is out of range"), std::string::npos)
        << args[0] << ": " << result.err;
  }
  // Recordings: merge reads them, compile --weights reads their counts.
  const std::string recording = dir.Write(
      "run.json", R"({"sysfence_profile": 1, "backend": "ptrace", "arch": "x86_64",)"
                  R"( "syscalls": [{"name": "read", "arch": "x86_64", "count": -1e999}]})");
  CliResult result = RunSysfence({"merge", recording});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("$.syscalls[0].count: number -1e999 is out of range"), std::string::npos) << result.err;
  const std::string policy = dir.Write("p.sfp", kPolicy);
  result = RunSysfence({"compile", policy, "--weights", recording});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("$.syscalls[0].count: number -1e999 is out of range"), std::string::npos) << result.err;
}

// --default reads actions by the grammar of core/action.h: an errno name alone, kill, or "errno N".
TEST(CliInputs, DefaultActionOfARecordingUsesTheActionGrammar) {
  TempDir dir;
  const std::string recording = dir.Write(
      "run.json", R"({"sysfence_profile": 1, "backend": "ptrace", "arch": "x86_64",)"
                  R"( "syscalls": [{"name": "read", "arch": "x86_64", "nr": 0, "count": 3}]})");
  struct Case {
    std::string flag;
    std::string default_line;
  };
  for (const Case& c : {Case{"ENOSYS", "default errno ENOSYS"}, Case{"errno 13", "default errno EACCES"},
                        Case{"kill", "default kill"}, Case{"kill-process", "default kill"}}) {
    const CliResult result = RunSysfence({"merge", "--default", c.flag, recording});
    EXPECT_EQ(result.exit_status, 0) << c.flag << ": " << result.err;
    EXPECT_NE(result.out.find(c.default_line), std::string::npos) << c.flag << ": " << result.out;
  }
  for (const std::string flag : {"allow", "EPREM", "errno 5000", "kill 3"}) {
    const CliResult result = RunSysfence({"merge", "--default", flag, recording});
    EXPECT_EQ(result.exit_status, 2) << flag;
    EXPECT_NE(result.err.find("--default: '" + flag + "' is neither 'kill' nor an errno name"), std::string::npos)
        << result.err;
    EXPECT_TRUE(result.out.empty()) << flag;
  }
}

TEST(CliInputs, DeeplyNestedRecordingIsRefusedWithItsPath) {
  TempDir dir;
  const std::string deep = dir.Write("deep.json", R"({"sysfence_profile": 1, "x": )" + std::string(100000, '[') +
                                                      std::string(100000, ']') + "}");
  CliResult result = RunSysfence({"merge", deep});
  EXPECT_EQ(result.exit_status, 2) << result.err.substr(0, 500);
  EXPECT_NE(result.err.find("nested deeper than"), std::string::npos) << result.err.substr(0, 500);
  const std::string policy = dir.Write("p.sfp", kPolicy);
  result = RunSysfence({"compile", policy, "--weights", deep});
  EXPECT_EQ(result.exit_status, 2) << result.err.substr(0, 500);
  EXPECT_NE(result.err.find("$.x[0][0]"), std::string::npos) << result.err.substr(0, 500);
}

std::string ManyRules(size_t count) {
  std::string text = "arch x86_64\ndefault kill\n";
  for (size_t i = 0; i < count; ++i) text += "allow write if arg0 == " + std::to_string(i) + "\n";
  return text;
}

TEST(CliInputs, HundredThousandRulesFailCleanly) {
  TempDir dir;
  const std::string sfp = dir.Write("many.sfp", ManyRules(100000));
  for (const char* command : {"compile", "disasm"}) {
    const CliResult result = RunSysfence({command, sfp});
    EXPECT_EQ(result.exit_status, 2) << command << ": " << result.err;
    EXPECT_NE(result.err.find("too many conditions: 100000 distinct argument tests"), std::string::npos)
        << command << ": " << result.err;
  }
  const CliResult checked = RunSysfence({"check", sfp});
  EXPECT_LT(checked.exit_status, 2) << checked.err;
  const std::string out = dir.path() + "/many.bpf";
  const CliResult compiled = RunSysfence({"compile", sfp, "-o", out});
  EXPECT_FALSE(fs::exists(out)) << "written despite the error";
}

TEST(CliInputs, HundredThousandOciRulesFailCleanly) {
  TempDir dir;
  std::string json = R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [)";
  // Every other value, so the importer cannot join neighbouring equalities back into one range.
  for (size_t i = 0; i < 100000; ++i) {
    json += (i ? "," : "") + std::string(R"({"names":["write"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":)") +
            std::to_string(2 * i) + R"(,"op":"SCMP_CMP_EQ"}]})";
  }
  const std::string path = dir.Write("many.json", json + "]}");
  const CliResult result = RunSysfence({"compile", path});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("too many conditions"), std::string::npos) << result.err;
}

TEST(CliInputs, SeventyThousandValueSetFailsCleanly) {
  TempDir dir;
  std::string values;
  for (size_t i = 0; i < 70000; ++i) values += (i ? ", " : "") + std::to_string(i);
  const std::string sfp = dir.Write("set.sfp", "arch x86_64\ndefault kill\nallow write if arg0 in {" + values + "}\n");
  CliResult result = RunSysfence({"compile", sfp});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("too many conditions: 70000"), std::string::npos) << result.err;
  result = RunSysfence({"compile", sfp, "--format", "json"});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  result = RunSysfence({"fmt", sfp});
  EXPECT_EQ(result.exit_status, 0) << result.err;
}

TEST(CliInputs, DuplicateRulesGiveBoundedOutputQuickly) {
  TempDir dir;
  std::string text = "arch x86_64\ndefault kill\n";
  for (int i = 0; i < 100000; ++i) text += "allow read\n";
  const std::string many_lines = dir.Write("dup.sfp", text);
  // The same on one long line: each diagnostic used to print the whole line.
  std::string line = "arch x86_64\ndefault kill\n";
  for (int i = 0; i < 5000; ++i) line += "allow read;";
  const std::string one_line = dir.Write("line.sfp", line + "\n");
  for (const std::string& path : {many_lines, one_line}) {
    const auto start = std::chrono::steady_clock::now();
    const CliResult result = RunSysfence({"check", path});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_GE(result.exit_status, 1) << result.err.substr(0, 500);
    EXPECT_LT(result.err.size(), 64u * 1024) << "unbounded diagnostics";
    EXPECT_NE(result.err.find("more diagnostics not shown"), std::string::npos) << result.err.substr(0, 500);
  }
}

TEST(CliInputs, HugeUnknownNameIsQuickAndWithoutSuggestion) {
  TempDir dir;
  const std::string sfp = dir.Write("name.sfp", "arch x86_64\ndefault kill\nallow " + std::string(1 << 20, 'r') + "\n");
  const auto start = std::chrono::steady_clock::now();
  const CliResult result = RunSysfence({"check", sfp});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_EQ(result.err.find("did you mean"), std::string::npos);
}

}  // namespace
