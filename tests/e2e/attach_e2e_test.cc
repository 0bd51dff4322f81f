// SPDX-License-Identifier: Apache-2.0
// `record -p` on real programs: the whole tree that exists at attach time is followed (every thread
// of every process), a recording that saw nothing says so and writes nothing, the policy's header
// says whether it can start the program, and --launchable makes it able to.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_paths.h"

namespace {

namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";

std::string Sysfence() { return sysfence::test_paths::SysfenceCli(); }

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts `argv` with stdin from /dev/null and stdout/stderr into files; returns its pid.
pid_t Start(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    setpgid(0, 0);  // its own group: the test ends the whole tree
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunToEnd(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  return Wait(Start(argv, out, err));
}

// Kills a process group however the test ends.
struct GroupReaper {
  pid_t leader;
  ~GroupReaper() {
    kill(-leader, SIGKILL);
    waitpid(leader, nullptr, 0);
  }
};

bool WaitForText(const fs::path& file, const std::string& text) {
  for (int i = 0; i < 250; ++i) {
    if (ReadAll(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

class Attach : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the e2e suite runs as root (CI does) [feature: root]";
    dir_ = fs::temp_directory_path() / ("sysfence-attach-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void ExpectCheckClean(const fs::path& policy) {
    EXPECT_EQ(RunToEnd({Sysfence(), "check", policy.string()}, dir_ / "check.out", dir_ / "check.err"), 0)
        << ReadAll(dir_ / "check.err") << ReadAll(policy);
  }
  fs::path dir_;
};

// A python3 parent that only sleeps, and its child with three threads calling uname(2) in a loop,
// all started before the recorder attaches to the parent.
void ExpectTheTreeIsFollowed(const fs::path& dir, const std::string& backend) {
  if (access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " is not installed [feature: python3]";
  const std::string code =
      "import os, threading, time\n"
      "if os.fork() == 0:\n"
      "    def work():\n"
      "        while True:\n"
      "            os.uname(); time.sleep(0.005)\n"
      "    for _ in range(3): threading.Thread(target=work, daemon=True).start()\n"
      "    print('ready', flush=True)\n"
      "    while True: time.sleep(3600)\n"
      "time.sleep(3600)\n";
  const fs::path out = dir / "tree.out";
  const pid_t parent = Start({kPython, "-c", code}, out, dir / "tree.err");
  GroupReaper reaper{parent};
  ASSERT_TRUE(WaitForText(out, "ready")) << ReadAll(dir / "tree.err");
  const fs::path policy = dir / ("tree-" + backend + ".sfp");
  ASSERT_EQ(RunToEnd({Sysfence(), "record", "-q", "--backend", backend, "-p", std::to_string(parent), "--duration", "1",
                 "-o", policy.string()},
                dir / "record.out", dir / "record.err"),
            0)
      << ReadAll(dir / "record.err");
  const std::string text = ReadAll(policy);
  EXPECT_NE(text.find("\nallow uname\n"), std::string::npos) << "the child's threads were not followed:\n" << text;
  EXPECT_NE(text.find("no execve was recorded, so this policy cannot start the program"), std::string::npos) << text;
  EXPECT_EQ(waitpid(parent, nullptr, WNOHANG), 0) << "the program ended after the recorder detached";
}

TEST_F(Attach, FollowsEveryThreadOfEveryProcessOfTheTreeWithEbpf) {
  ExpectTheTreeIsFollowed(dir_, "ebpf");
  if (!HasFailure() && !IsSkipped()) ExpectCheckClean(dir_ / "tree-ebpf.sfp");
}

TEST_F(Attach, FollowsEveryThreadOfEveryProcessOfTheTreeWithPtrace) {
  ExpectTheTreeIsFollowed(dir_, "ptrace");
  if (!HasFailure() && !IsSkipped()) ExpectCheckClean(dir_ / "tree-ptrace.sfp");
}

TEST_F(Attach, ARecordingThatSawNothingWarnsAndWritesNothing) {
  const pid_t sleeper = Start({"/bin/sleep", "30"}, dir_ / "sleep.out", dir_ / "sleep.err");
  GroupReaper reaper{sleeper};
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const fs::path policy = dir_ / "sleep.sfp";
  EXPECT_EQ(RunToEnd({Sysfence(), "record", "-q", "--backend", "ebpf", "-p", std::to_string(sleeper), "--duration", "0.5",
                 "-o", policy.string()},
                dir_ / "record.out", dir_ / "record.err"),
            1);
  EXPECT_NE(ReadAll(dir_ / "record.err").find("recorded no syscall from pid " + std::to_string(sleeper)),
            std::string::npos)
      << ReadAll(dir_ / "record.err");
  EXPECT_FALSE(fs::exists(policy));
}

// `yes` attached with --launchable: the recording sees only write(2); the policy then starts `yes`
// afresh with no denial (and without --launchable it cannot).
TEST_F(Attach, LaunchableAddsWhatStartingTheProgramNeeds) {
  const pid_t running = Start({"/usr/bin/yes"}, "/dev/null", dir_ / "yes.err");
  GroupReaper reaper{running};
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const bool launchable : {true, false}) {
    const std::string tag = launchable ? "launchable" : "attached";
    const fs::path policy = dir_ / (tag + ".sfp");
    std::vector<std::string> record = {Sysfence(), "record", "-q", "-p", std::to_string(running), "--duration", "0.5",
                                       "-o", policy.string()};
    if (launchable) record.push_back("--launchable");
    ASSERT_EQ(RunToEnd(record, dir_ / "record.out", dir_ / "record.err"), 0) << ReadAll(dir_ / "record.err");
    ExpectCheckClean(policy);
    const std::string text = ReadAll(policy);
    EXPECT_EQ(text.find("the launch base was added") != std::string::npos, launchable) << text;
    EXPECT_EQ(text.find("\nallow execve\n") != std::string::npos, launchable) << text;

    const fs::path events = dir_ / (tag + ".jsonl");
    const pid_t run = Start({Sysfence(), "run", "-q", "--policy", policy.string(), "--events", events.string(), "--",
                             "/usr/bin/yes"},
                            dir_ / (tag + ".out"), dir_ / (tag + ".run.err"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    kill(run, SIGTERM);
    const int status = Wait(run);
    const std::string reported = ReadAll(events);
    if (launchable) {
      EXPECT_EQ(reported.find("\"type\":\"syscall\""), std::string::npos) << reported << text;
      EXPECT_GT(fs::file_size(dir_ / (tag + ".out")), 1000u) << ReadAll(dir_ / (tag + ".run.err"));
    } else {
      EXPECT_NE(status, 143) << "yes ran without its start-up calls?";
      EXPECT_NE(reported.find("\"type\":\"syscall\""), std::string::npos) << reported;
    }
  }
}

TEST_F(Attach, LaunchableWithoutPidIsBadInput) {
  EXPECT_EQ(RunToEnd({Sysfence(), "record", "--launchable", "-o", (dir_ / "p.sfp").string(), "--", "/bin/true"},
                dir_ / "out", dir_ / "err"),
            2);
  EXPECT_NE(ReadAll(dir_ / "err").find("--launchable is for -p"), std::string::npos) << ReadAll(dir_ / "err");
  EXPECT_FALSE(fs::exists(dir_ / "p.sfp"));
}

}  // namespace
