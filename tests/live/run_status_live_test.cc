// SPDX-License-Identifier: Apache-2.0
// `sysfence run`'s exit statuses (the program's own, passed through; 125, 126 and 127 for its own
// failures, as env(1) and timeout(1) have them) and its status lines (SIGUSR1, --progress).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/live/live_util.h"

namespace sysfence::live {
namespace {

constexpr const char* kAllowAll = "arch x86_64\ndefault allow\n";

class RunStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = LiveSkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }
  std::vector<std::string> Run(const std::vector<std::string>& options, const std::vector<std::string>& command) {
    std::vector<std::string> argv = {SysfenceBinary(), "run", "-P", dir_.Write("p.sfp", kAllowAll)};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
  }
  TempDir dir_;
};

TEST_F(RunStatusTest, ProgramStatusesPassThroughInEnforceAndMonitorMode) {
  // 2 and 3 included: they are the program's, not sysfence's bad input or refusal.
  for (const int code : {1, 2, 3, 42, 124}) {
    const std::vector<std::string> program = {"/bin/sh", "-c", "exit " + std::to_string(code)};
    EXPECT_EQ(RunCommand(Run({}, program)).status, code);
    EXPECT_EQ(RunCommand(Run({"--monitor"}, program)).status, code) << "monitor";
  }
  EXPECT_EQ(RunCommand(Run({"--monitor"}, {"/bin/sh", "-c", "kill -TERM $$"})).status, 128 + SIGTERM);
}

TEST_F(RunStatusTest, ProgramNotFoundIs127) {
  Finished run = RunCommand(Run({}, {"no-such-program-anywhere"}));
  EXPECT_EQ(run.status, 127) << run.err;
  EXPECT_NE(run.err.find("not found"), std::string::npos) << run.err;
  run = RunCommand(Run({}, {dir_.Path("missing-file")}));
  EXPECT_EQ(run.status, 127) << run.err;
  EXPECT_NE(run.err.find("does not exist"), std::string::npos) << run.err;
}

TEST_F(RunStatusTest, ProgramThatCannotBeExecutedIs126) {
  const std::string script = dir_.Write("not-executable.sh", "#!/bin/sh\ntouch " + dir_.Path("ran") + "\n");
  chmod(script.c_str(), 0644);
  Finished run = RunCommand(Run({}, {script}));
  EXPECT_EQ(run.status, 126) << run.err;
  EXPECT_NE(run.err.find("not executable"), std::string::npos) << run.err;
  run = RunCommand(Run({}, {dir_.Path("")}));
  EXPECT_EQ(run.status, 126) << run.err;  // a folder
  EXPECT_FALSE(std::filesystem::exists(dir_.Path("ran")));
}

// What execve itself answers decides, from its errno (ENOENT 127, anything else 126), in policy
// runs and in strict mode: files that pass the check before the start but that the kernel will not run.
TEST_F(RunStatusTest, FailedExecveStatusComesFromItsErrno) {
  const std::string bad_elf = dir_.Write("bad-elf", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(57, '\0'));
  const std::string lost_interpreter = dir_.Write("lost-interpreter", "#!/nonexistent/interpreter\n");
  const std::string folder_interpreter = dir_.Write("folder-interpreter", "#!" + dir_.Path("") + "\n");
  const std::string plain = dir_.Write("plain-interpreter", "#!" + dir_.Write("plain", "not a program\n") + "\n");
  for (const std::string& path : {bad_elf, lost_interpreter, folder_interpreter, plain}) chmod(path.c_str(), 0755);
  const std::pair<std::string, int> cases[] = {
      {bad_elf, 126},             // ENOEXEC: not a format the kernel runs
      {lost_interpreter, 127},    // ENOENT: the #! interpreter is missing
      {folder_interpreter, 126},  // EACCES: the interpreter is a folder
      {plain, 126},               // EACCES: the interpreter is not executable
  };
  std::vector<std::vector<std::string>> modes = {{}, {"--monitor"}};
#if defined(__x86_64__)
  modes.push_back({"--strict"});
#endif
  for (const auto& [path, status] : cases) {
    for (const auto& mode : modes) {
      std::vector<std::string> argv = {SysfenceBinary(), "run"};
      if (mode.empty() || mode[0] != "--strict") argv.insert(argv.end(), {"-P", dir_.Write("p.sfp", kAllowAll)});
      argv.insert(argv.end(), mode.begin(), mode.end());
      argv.insert(argv.end(), {"--", path});
      const Finished run = RunCommand(argv);
      const std::string what = path + (mode.empty() ? "" : " " + mode[0]);
      EXPECT_EQ(run.status, status) << what << "\n" << run.err;
      EXPECT_NE(run.err.find("step 'execve' failed"), std::string::npos) << what << "\n" << run.err;
    }
  }
}

// The program's own 126 and 127 are passed through like every status it exits with.
TEST_F(RunStatusTest, ProgramsOwn126And127PassThrough) {
  for (const int code : {126, 127}) {
    const std::vector<std::string> program = {"/bin/sh", "-c", "exit " + std::to_string(code)};
    Finished run = RunCommand(Run({}, program));
    EXPECT_EQ(run.status, code) << run.err;
    EXPECT_EQ(run.err.find("sysfence: error"), std::string::npos) << run.err;
    EXPECT_EQ(RunCommand(Run({"--monitor"}, program)).status, code);
  }
  // A shell that cannot find its command exits 127 itself: still the program's status.
  const Finished missing = RunCommand(Run({}, {"/bin/sh", "-c", "no-such-command-anywhere"}));
  EXPECT_EQ(missing.status, 127) << missing.err;
  EXPECT_EQ(missing.err.find("sysfence: error"), std::string::npos) << missing.err;
}

TEST_F(RunStatusTest, UsageErrorsAre125AndStartNothing) {
  const std::string marker = dir_.Path("marker");
  Finished run = RunCommand(Run({"--no-such-option"}, {"/usr/bin/touch", marker}));
  EXPECT_EQ(run.status, 125) << run.err;
  run = RunCommand({SysfenceBinary(), "run", "--events-per-call", "many", "-P", dir_.Write("q.sfp", kAllowAll), "--",
                    "/usr/bin/touch", marker});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// -p is --pid in every command; run's policy moved to -P, and the old spelling says so.
TEST_F(RunStatusTest, DashLowerPIsRefusedWithANoteAboutDashCapitalP) {
  const Finished run =
      RunCommand({SysfenceBinary(), "run", "-p", dir_.Write("q.sfp", kAllowAll), "--", "/bin/true"});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("-P or --policy"), std::string::npos) << run.err;
}

// Starts `argv` with stderr into `err_path`; returns the pid.
pid_t StartInBackground(const std::vector<std::string>& argv, const std::string& err_path) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int WaitStatus(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool WaitForFile(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    if (std::filesystem::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(RunStatusTest, Sigusr1PrintsOneStatusLineAndTheRunGoesOn) {
  const std::string started = dir_.Path("started"), release = dir_.Path("release"), err = dir_.Path("err");
  const std::string script =
      "touch " + started + "; while [ ! -e " + release + " ]; do sleep 0.05; done; exit 7";
  const pid_t pid = StartInBackground(Run({"--monitor"}, {"/bin/sh", "-c", script}), err);
  ASSERT_TRUE(WaitForFile(started)) << ReadFile(err);
  kill(pid, SIGUSR1);
  bool printed = false;
  for (int i = 0; i < 250 && !printed; ++i) {
    printed = ReadFile(err).find("sysfence: status: pid ") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ofstream(release).put('\n');
  EXPECT_EQ(WaitStatus(pid), 7);  // SIGUSR1 ended neither sysfence nor the program
  const std::string text = ReadFile(err);
  EXPECT_TRUE(printed) << text;
  const std::regex line(R"(sysfence: status: pid [0-9]+, [0-9.]+ s, [0-9]+ reported calls? of [0-9]+ kinds?\n)");
  EXPECT_TRUE(std::regex_search(text, line)) << text;
}

TEST_F(RunStatusTest, ProgressPrintsStatusLinesAtTheInterval) {
  const Finished run = RunCommand(Run({"--monitor", "--progress", "--progress-interval", "0.1"}, {"/bin/sleep", "0.7"}));
  EXPECT_EQ(run.status, 0) << run.err;
  size_t lines = 0;
  for (size_t at = run.err.find("sysfence: status:"); at != std::string::npos;
       at = run.err.find("sysfence: status:", at + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 3u) << run.err;
  EXPECT_LE(lines, 30u) << run.err;  // one per interval, not one per wake-up (a loaded machine may stretch 0.7 s)
}

TEST_F(RunStatusTest, QuietRunPrintsNoStatus) {
  const Finished run =
      RunCommand(Run({"-q", "--monitor", "--progress", "--progress-interval", "0.1"}, {"/bin/sleep", "0.4"}));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
}

TEST_F(RunStatusTest, VerboseNamesThePolicyAndTheProgramsStatus) {
  const Finished run = RunCommand(Run({"-v"}, {"/bin/sh", "-c", "exit 5"}));
  EXPECT_EQ(run.status, 5);
  EXPECT_NE(run.err.find("enforce mode"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("exited with status 5"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace sysfence::live
