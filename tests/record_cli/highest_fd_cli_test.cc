// SPDX-License-Identifier: Apache-2.0
// `sysfence record --backend ebpf` counts the highest file descriptor a program was given from the
// syscalls of data/fd-syscalls.tsv, on x86_64 and on i386 (compat) alike, and proposes
// `# rlimit NOFILE` from it. The subjects print the highest descriptor they were given, so the
// recording is checked against what the kernel handed them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace sysfence::testsupport {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Python holds ten descriptors, asks fcntl for flags (no descriptor, though a number above the
// others), then gets one more as argv[1] says, and prints the highest it holds.
constexpr const char* kPythonSubject = R"(
import fcntl, os, socket, sys
fds = [os.open("/dev/null", os.O_RDONLY | os.O_NONBLOCK) for _ in range(10)]
fcntl.fcntl(fds[0], fcntl.F_GETFL)
how = sys.argv[1]
if how == "pipe":
    fds += os.pipe()
elif how == "socketpair":
    fds += [s.detach() for s in socket.socketpair()]
elif how == "fcntl":
    fds.append(fcntl.fcntl(fds[0], fcntl.F_DUPFD, 300))
elif how == "dup2":
    fds.append(os.dup2(fds[0], 200))
print(max(fds))
)";

class HighestFdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the ebpf backend needs root [feature: root]";
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) GTEST_SKIP() << "no kernel BTF [feature: ebpf]";
  }

  // Records `command` with the ebpf backend; returns what it printed (record passes its standard
  // output through) and sets `policy` to the recorded policy's text.
  std::string Record(const std::vector<std::string>& command, std::string& policy) {
    const std::string sfp = dir_.path() + "/p.sfp";
    std::vector<std::string> args = {"record", "--backend", "ebpf", "-q", "-o", sfp, "--"};
    args.insert(args.end(), command.begin(), command.end());
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    policy = ReadAll(sfp);
    return result.out;
  }

  // Expects the policy to report `printed` (the subject's own last line) as the highest descriptor.
  static void ExpectHighest(const std::string& policy, const std::string& printed) {
    ASSERT_FALSE(printed.empty());
    const std::string fd = printed.substr(0, printed.find('\n'));
    EXPECT_NE(policy.find("# Open files: the highest descriptor the program was given was " + fd + " ("),
              std::string::npos)
        << "the subject printed " << fd << "\n"
        << policy;
  }

  TempDir dir_;
};

TEST_F(HighestFdTest, NativeCallsOfEveryKindAreCounted) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "python3 is not installed [feature: python3]";
  const std::string script = dir_.Write("fds.py", kPythonSubject);
  for (const char* how : {"pipe", "socketpair", "fcntl", "dup2"}) {
    SCOPED_TRACE(how);
    std::string policy;
    const std::string printed = Record({"/usr/bin/python3", script, how}, policy);
    ExpectHighest(policy, printed);
  }
  // dup2 to 200: 201 descriptor numbers in use; four times the room is 804, so 1024.
  std::string policy;
  EXPECT_EQ(Record({"/usr/bin/python3", script, "dup2"}, policy), "200\n");
  EXPECT_NE(policy.find("\n# rlimit NOFILE 1024\n"), std::string::npos) << policy;
}

#ifdef SF_FD_I386_PATH
TEST_F(HighestFdTest, I386CallsAreCountedAsCompatCalls) {
  const pid_t probe = fork();
  if (probe == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(SF_FD_I386_PATH, SF_FD_I386_PATH, "dup2", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(probe, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    GTEST_SKIP() << "a static i386 program does not run here (IA-32 emulation off) [feature: ia32]";
  }
  for (const char* how : {"dup2", "fcntl", "pipe", "socketcall"}) {
    SCOPED_TRACE(how);
    std::string policy;
    const std::string printed = Record({SF_FD_I386_PATH, how}, policy);
    ExpectHighest(policy, printed);
    if (std::string(how) == "fcntl") {
      EXPECT_EQ(printed, "120\n");
      EXPECT_NE(policy.find("\n# rlimit NOFILE 512\n"), std::string::npos) << policy;  // 4 x 121 -> 512
    }
  }
}
#else
TEST(HighestFdBuildTest, TheI386SubjectIsBuilt) {
  GTEST_SKIP() << "this build has no i386 subject (the compiler cannot link -m32 -nostdlib)";
}
#endif

}  // namespace
}  // namespace sysfence::testsupport
