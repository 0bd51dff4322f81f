// SPDX-License-Identifier: Apache-2.0
// Signals and lifetimes of `sysfence record` and `sysfence run`, with real processes (sh, sleep):
// a signal sysfence was started with ignored stays ignored in the program (nohup), SIGTERM reaches
// the whole tree, a launched recording ends when the program exits and names what it left
// running, and --duration honours fractions.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cli_runner.h"

namespace sysfence::testsupport {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Pids of running processes whose command line is exactly `argv` (joined by NULs).
std::vector<pid_t> ProcessesRunning(const std::vector<std::string>& argv) {
  std::string wanted;
  for (const std::string& arg : argv) wanted += arg + '\0';
  std::vector<pid_t> found;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return found;
  while (dirent* entry = readdir(dir)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    const std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z') continue;
    if (ReadAll("/proc/" + std::to_string(pid) + "/cmdline") == wanted) found.push_back(pid);
  }
  closedir(dir);
  return found;
}

// Starts the CLI with `args` in the background, stderr to `err`; `ignore_hup` starts it with
// SIGHUP ignored (as nohup does).
pid_t StartSysfence(const std::vector<std::string>& args, const std::string& err, bool ignore_hup = false) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (ignore_hup) signal(SIGHUP, SIG_IGN);
  FILE* redirected = std::freopen(err.c_str(), "w", stderr);
  (void)redirected;
  std::vector<std::string> full = {SysfenceBinary()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : full) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

// Waits for `pid` at most `limit`; returns its shell status, or -1 (then kills it) on timeout.
int WaitAtMost(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  int status = 0;
  while (Clock::now() < deadline) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

// Waits until a process with command line `argv` runs (the program started); false on timeout.
bool AwaitProcess(const std::vector<std::string>& argv) {
  for (int i = 0; i < 1000; ++i) {
    if (!ProcessesRunning(argv).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits until no process with command line `argv` runs; false when one still does after 20 s. A
// signalled process ends a moment after the signal, on a busy machine possibly after sysfence.
bool AwaitNoProcess(const std::vector<std::string>& argv) {
  for (int i = 0; i < 2000; ++i) {
    if (ProcessesRunning(argv).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void KillAll(const std::vector<std::string>& argv) {
  for (pid_t pid : ProcessesRunning(argv)) kill(pid, SIGKILL);
}

// The SigIgn mask of a program recorded (or run) by sysfence, which writes it to `out`.
uint64_t IgnoredMaskOfProgram(const std::vector<std::string>& sysfence_args, const std::string& out,
                              const std::string& err, bool ignore_hup) {
  std::vector<std::string> args = sysfence_args;
  args.insert(args.end(), {"--", "/bin/sh", "-c", "grep SigIgn /proc/self/status > " + out});
  const pid_t pid = StartSysfence(args, err, ignore_hup);
  EXPECT_EQ(WaitAtMost(pid, std::chrono::seconds(60)), 0) << ReadAll(err);
  const std::string line = ReadAll(out);  // "SigIgn:\t0000000000000001\n"
  const size_t tab = line.find('\t');
  return tab == std::string::npos ? ~uint64_t{0} : std::strtoull(line.c_str() + tab + 1, nullptr, 16);
}

constexpr uint64_t kHupBit = uint64_t{1} << (SIGHUP - 1);
constexpr uint64_t kPipeBit = uint64_t{1} << (SIGPIPE - 1);

class SignalsCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "ebpf" && geteuid() != 0) GTEST_SKIP() << "the ebpf backend needs root [feature: ebpf]";
  }
  std::vector<std::string> Record(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"record", "--backend", GetParam(), "-q", "-o", dir_.path() + "/p.sfp"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // A sleep length no other test (and no other backend's run of this one, with ctest -j) uses:
  // the test finds its processes by command line.
  std::string Marker(int base) const {
    const std::string& backend = GetParam();
    return std::to_string(base * 10 + (backend == "ptrace" ? 1 : backend == "unotify" ? 2 : 3));
  }
  TempDir dir_;
};

TEST_P(SignalsCliTest, NohupStaysInTheRecordedProgram) {
  const std::string out = dir_.path() + "/sigign", err = dir_.path() + "/err";
  EXPECT_EQ(IgnoredMaskOfProgram(Record(), out, err, /*ignore_hup=*/true) & kHupBit, kHupBit);
  // Without nohup the program gets SIGHUP's default, and never sysfence's SIGPIPE ignore.
  const uint64_t plain = IgnoredMaskOfProgram(Record(), out, err, /*ignore_hup=*/false);
  EXPECT_EQ(plain & kHupBit, 0u);
  EXPECT_EQ(plain & kPipeBit, 0u);
}

TEST_P(SignalsCliTest, SigtermReachesTheWholeRecordedTree) {
  const std::vector<std::string> sleeper = {"sleep", Marker(9741)};
  const std::string err = dir_.path() + "/err";
  std::vector<std::string> args = Record();
  args.insert(args.end(), {"--", "/bin/sh", "-c", "sleep " + sleeper[1] + " & wait"});
  const pid_t pid = StartSysfence(args, err);
  ASSERT_TRUE(AwaitProcess(sleeper)) << ReadAll(err);
  const auto sent = Clock::now();
  kill(pid, SIGTERM);
  // Before: the shell died, its sleep ran on, and unotify/ptrace waited for it (~2.7 hours here).
  const int status = WaitAtMost(pid, std::chrono::seconds(20));
  const bool leftover = !AwaitNoProcess(sleeper);
  KillAll(sleeper);
  EXPECT_NE(status, -1) << "sysfence did not finish after SIGTERM: " << ReadAll(err);
  EXPECT_FALSE(leftover) << "the background sleep did not get SIGTERM";
  EXPECT_LT(Clock::now() - sent, std::chrono::seconds(20));
}

TEST_P(SignalsCliTest, RecordingEndsWithTheProgramAndNamesOrphans) {
  const std::vector<std::string> sleeper = {"sleep", Marker(9742)};
  const std::string err = dir_.path() + "/err", json = dir_.path() + "/rec.json";
  std::vector<std::string> args = Record({"--json", json});
  // The pause lets the background child exec sleep before the shell exits.
  args.insert(args.end(), {"--", "/bin/sh", "-c", "sleep " + sleeper[1] + " & sleep 1; echo started"});
  const pid_t pid = StartSysfence(args, err);
  const int status = WaitAtMost(pid, std::chrono::seconds(30));
  const bool left_running = !ProcessesRunning(sleeper).empty();
  KillAll(sleeper);
  ASSERT_EQ(status, 0) << ReadAll(err);
  const std::string text = ReadAll(err);
  EXPECT_NE(text.find("left 1 process running"), std::string::npos) << text;
  EXPECT_NE(text.find("(sleep)"), std::string::npos) << text;
  const nlohmann::json recording = nlohmann::json::parse(ReadAll(json));
  ASSERT_TRUE(recording.contains("orphans")) << recording.dump();
  ASSERT_EQ(recording["orphans"].size(), 1u);
  EXPECT_EQ(recording["orphans"][0]["command"], "sleep");
  EXPECT_GT(recording["orphans"][0]["pid"].get<int>(), 0);
  // ebpf leaves them running (they work untraced); unotify and ptrace end them.
  EXPECT_EQ(left_running, GetParam() == "ebpf");
}

INSTANTIATE_TEST_SUITE_P(Backends, SignalsCliTest, ::testing::Values("ptrace", "unotify", "ebpf"));

TEST(DurationCliTest, FractionsOfASecondAreHonoured) {
  TempDir dir;
  const pid_t target = fork();
  if (target == 0) {
    execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto start = Clock::now();
  const CliResult result = RunSysfence({"record", "--backend", "ptrace", "-q", "--duration", "0.3", "-p",
                                        std::to_string(target), "-o", dir.path() + "/p.sfp"});
  const auto elapsed = Clock::now() - start;
  kill(target, SIGKILL);
  waitpid(target, nullptr, 0);
  EXPECT_NE(result.exit_status, 2) << result.err;
  // Rounded up to whole seconds (the old behaviour) it would take 1 s at least.
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(950));
}

TEST(RunSignalsCliTest, SigtermReachesTheWholeRunTree) {
  TempDir dir;
  const std::string policy = dir.Write("all.sfp", "arch x86_64\ndefault allow\n");
  const std::vector<std::string> sleeper = {"sleep", "9743"};
  const std::string err = dir.path() + "/err";
  const pid_t pid = StartSysfence({"run", "--policy", policy, "--", "/bin/sh", "-c", "sleep 9743 & wait"}, err);
  ASSERT_TRUE(AwaitProcess(sleeper)) << ReadAll(err);
  kill(pid, SIGTERM);
  const int status = WaitAtMost(pid, std::chrono::seconds(20));
  const bool leftover = !AwaitNoProcess(sleeper);
  KillAll(sleeper);
  EXPECT_EQ(status, 128 + SIGTERM) << ReadAll(err);
  EXPECT_FALSE(leftover) << "the background sleep did not get SIGTERM";
}

}  // namespace
}  // namespace sysfence::testsupport
