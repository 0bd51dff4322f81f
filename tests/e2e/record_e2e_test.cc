// SPDX-License-Identifier: Apache-2.0
// End to end on real Debian programs: `sysfence record` a workload, then `sysfence run` the same
// workload under the generated policy in enforce mode and expect zero violations; then show that
// work outside the recording is denied.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include "tests/support/test_paths.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

std::string Sysfence() {
  return sysfence::test_paths::SysfenceCli();
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Violation events in a JSON Lines file (the run's closing summary line is not one).
size_t CountLines(const fs::path& path) {
  std::ifstream in(path);
  size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) lines += !line.empty() && line.find("\"type\":\"summary\"") == std::string::npos;
  return lines;
}

// Runs `argv` in `cwd` with stdin from /dev/null and stdout/stderr to files; returns the exit status.
int Spawn(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& out, const fs::path& err) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    const int in = open("/dev/null", O_RDONLY);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class RecordThenRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the e2e suite runs as root (CI does)";
    if (access(Sysfence().c_str(), X_OK) != 0) GTEST_SKIP() << "sysfence binary not built: " << Sysfence();
    dir_ = fs::temp_directory_path() / ("sysfence-e2e-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Records `workload` (run in a fresh `work` folder prepared by `prepare`) into NAME.sfp.
  fs::path RecordPolicy(const std::string& name, const std::vector<std::string>& workload,
                        const std::function<void(const fs::path&)>& prepare = {}) {
    const fs::path work = dir_ / (name + "-record");
    fs::create_directories(work);
    if (prepare) prepare(work);
    const fs::path policy = dir_ / (name + ".sfp");
    std::vector<std::string> argv = {Sysfence(), "record", "-q", "-o", policy.string(), "--"};
    argv.insert(argv.end(), workload.begin(), workload.end());
    const int status = Spawn(argv, work, dir_ / (name + ".record.out"), dir_ / (name + ".record.err"));
    EXPECT_EQ(status, 0) << ReadAll(dir_ / (name + ".record.err"));
    EXPECT_TRUE(fs::exists(policy));
    return policy;
  }

  // Runs `workload` under `policy` in enforce mode; returns the exit status, and the number of
  // violation events in *violations.
  int RunEnforced(const std::string& name, const fs::path& policy, const std::vector<std::string>& workload,
                  size_t* violations, const std::function<void(const fs::path&)>& prepare = {}) {
    const fs::path work = dir_ / (name + "-run");
    fs::create_directories(work);
    if (prepare) prepare(work);
    const fs::path events = dir_ / (name + ".events.jsonl");
    std::vector<std::string> argv = {Sysfence(), "run", "-q", "--policy", policy.string(), "--events",
                                     events.string(), "--"};
    argv.insert(argv.end(), workload.begin(), workload.end());
    const int status = Spawn(argv, work, dir_ / (name + ".run.out"), dir_ / (name + ".run.err"));
    *violations = fs::exists(events) ? CountLines(events) : 0;
    return status;
  }

  // Record, then run enforced: the same work passes with no violation.
  void ExpectRecordedWorkPasses(const std::string& name, const std::vector<std::string>& workload,
                                const std::function<void(const fs::path&)>& prepare = {}) {
    const fs::path policy = RecordPolicy(name, workload, prepare);
    size_t violations = 0;
    const int status = RunEnforced(name, policy, workload, &violations, prepare);
    EXPECT_EQ(status, 0) << ReadAll(dir_ / (name + ".run.err")) << "\npolicy:\n" << ReadAll(policy);
    EXPECT_EQ(violations, 0u) << ReadAll(dir_ / (name + ".events.jsonl")) << "\npolicy:\n" << ReadAll(policy);
  }

  fs::path dir_;
};

TEST_F(RecordThenRun, Coreutils) {
  auto prepare = [](const fs::path& work) {
    std::ofstream(work / "words") << "pear\napple\nfig\n";
  };
  ExpectRecordedWorkPasses("ls", {"ls", "-la", "/usr/share/doc/coreutils"});
  ExpectRecordedWorkPasses("cat", {"cat", "/etc/os-release"});
  ExpectRecordedWorkPasses("sort", {"sort", "-r", "words"}, prepare);
}

TEST_F(RecordThenRun, Python) {
  ExpectRecordedWorkPasses("python", {"python3", "-c", "import json, os; print(json.dumps(sorted(os.listdir('/etc'))[:3]))"});
}

TEST_F(RecordThenRun, GitInitAndCommit) {
  const std::string script =
      "export HOME=\"$PWD\" GIT_CONFIG_NOSYSTEM=1; git init -q repo && cd repo && echo hi > f && git add f && "
      "git -c user.name=t -c user.email=t@example.com commit -q -m first && git log --oneline | wc -l";
  ExpectRecordedWorkPasses("git", {"sh", "-c", script});
}

TEST_F(RecordThenRun, TarAndGzip) {
  auto prepare = [](const fs::path& work) {
    fs::create_directories(work / "tree" / "sub");
    std::ofstream(work / "tree" / "a.txt") << std::string(10000, 'a');
    std::ofstream(work / "tree" / "sub" / "b.txt") << "b\n";
  };
  ExpectRecordedWorkPasses("tar", {"sh", "-c", "tar -czf out.tgz tree && tar -tzf out.tgz | sort"}, prepare);
}

TEST_F(RecordThenRun, CurlAgainstALoopbackHttpServer) {
  if (access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  // python3 -m http.server on an ephemeral port, serving a file from the test folder.
  const fs::path root = dir_ / "www";
  fs::create_directories(root);
  std::ofstream(root / "index.html") << "hello from sysfence\n";
  const fs::path port_file = dir_ / "port";
  const std::string server_code =
      "import http.server, socketserver, sys, os\n"
      "os.chdir(sys.argv[1])\n"
      "h = http.server.SimpleHTTPRequestHandler\n"
      "h.log_message = lambda *a: None\n"
      "s = socketserver.TCPServer(('127.0.0.1', 0), h)\n"
      "open(sys.argv[2], 'w').write(str(s.server_address[1]))\n"
      "s.serve_forever()\n";
  const pid_t server = fork();
  if (server == 0) {
    execlp("python3", "python3", "-c", server_code.c_str(), root.c_str(), port_file.c_str(), nullptr);
    _exit(127);
  }
  std::string port;
  for (int i = 0; i < 200 && port.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    port = ReadAll(port_file);
  }
  ASSERT_FALSE(port.empty()) << "the HTTP server did not start";
  ExpectRecordedWorkPasses("curl", {"curl", "-sS", "-o", "page.html", "http://127.0.0.1:" + port + "/index.html"});
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
}

TEST_F(RecordThenRun, WorkOutsideTheRecordingIsDenied) {
  // Recorded: python printing. Run: python opening a socket, which the recording never saw.
  const fs::path policy = RecordPolicy("python-print", {"python3", "-c", "print(1)"});
  size_t violations = 0;
  const int status = RunEnforced(
      "python-socket", policy,
      {"python3", "-c", "import socket\ntry:\n socket.socket()\nexcept PermissionError:\n raise SystemExit(42)"},
      &violations);
  EXPECT_EQ(status, 42) << ReadAll(dir_ / "python-socket.run.err");
  EXPECT_GE(violations, 1u);
  EXPECT_NE(ReadAll(dir_ / "python-socket.events.jsonl").find("socket"), std::string::npos);
}

TEST_F(RecordThenRun, ArgumentConditionsDenyUnseenValues) {
  // Recorded: a Unix socket. Run: an IPv4 socket; socket is allowed, but only for AF_UNIX.
  const fs::path policy = RecordPolicy(
      "python-unix", {"python3", "-c", "import socket; socket.socket(socket.AF_UNIX).close()"});
  EXPECT_NE(ReadAll(policy).find("allow socket if"), std::string::npos) << ReadAll(policy);
  size_t violations = 0;
  const int status = RunEnforced(
      "python-inet", policy,
      {"python3", "-c",
       "import socket\nsocket.socket(socket.AF_UNIX).close()\ntry:\n socket.socket(socket.AF_INET)\n"
       "except PermissionError:\n raise SystemExit(42)"},
      &violations);
  EXPECT_EQ(status, 42) << ReadAll(dir_ / "python-inet.run.err");
  EXPECT_GE(violations, 1u);
}

// Bad input: one clear error, exit status 2, nothing started and nothing written.
class RecordCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(Sysfence().c_str(), X_OK) != 0) GTEST_SKIP() << "sysfence binary not built: " << Sysfence();
    dir_ = fs::temp_directory_path() / ("sysfence-cli-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  int Run(const std::vector<std::string>& argv) { return Spawn(argv, dir_, dir_ / "out", dir_ / "err"); }
  std::string Err() { return ReadAll(dir_ / "err"); }
  fs::path dir_;
};

TEST_F(RecordCli, MissingProgramIsBadInput) {
  EXPECT_EQ(Run({Sysfence(), "record", "-o", (dir_ / "p.sfp").string(), "--", "/nonexistent/prog"}), 2);
  EXPECT_NE(Err().find("does not exist"), std::string::npos) << Err();
  EXPECT_FALSE(fs::exists(dir_ / "p.sfp"));
  EXPECT_EQ(Run({Sysfence(), "record", "--backend", "ptrace", "--", "sysfence-no-such-program"}), 2);
  EXPECT_NE(Err().find("not found in PATH"), std::string::npos) << Err();
}

TEST_F(RecordCli, PidThatDoesNotExistIsBadInput) {
  EXPECT_EQ(Run({Sysfence(), "record", "--backend", "ptrace", "-p", "1073741800", "-o", (dir_ / "p.sfp").string()}), 2);
  EXPECT_NE(Err().find("no process with pid 1073741800"), std::string::npos) << Err();
  EXPECT_FALSE(fs::exists(dir_ / "p.sfp"));
}

TEST_F(RecordCli, UnknownBackendAndConflictingRequestsAreBadInput) {
  EXPECT_EQ(Run({Sysfence(), "record", "--backend", "dtrace", "--", "/bin/true"}), 2);
  EXPECT_EQ(Run({Sysfence(), "record", "--backend", "unotify", "-p", "1"}), 2);
  EXPECT_EQ(Run({Sysfence(), "record", "--backend", "ebpf", "--fs", "--", "/bin/true"}), 2);
  EXPECT_EQ(Run({Sysfence(), "record", "-o", "/nonexistent-dir/p.sfp", "--", "/bin/true"}), 2);
  EXPECT_EQ(Run({Sysfence(), "record"}), 2);
}

TEST_F(RecordCli, NoPermissionForTheBackendIsBadInput) {
  if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv to drop privileges";
  fs::permissions(dir_, fs::perms::all);
  const std::string policy = (dir_ / "p.sfp").string();
  EXPECT_EQ(Run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Sysfence(), "record",
                 "--backend", "ebpf", "-o", policy, "--", "/bin/true"}),
            2);
  EXPECT_NE(Err().find("needs root"), std::string::npos) << Err();
  EXPECT_FALSE(fs::exists(policy));
  // ptrace -p on a process of another user (pid 1, root's).
  EXPECT_EQ(Run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Sysfence(), "record",
                 "--backend", "ptrace", "-p", "1", "-o", policy}),
            2);
  EXPECT_NE(Err().find("cannot attach"), std::string::npos) << Err();
  EXPECT_FALSE(fs::exists(policy));
}

TEST_F(RecordCli, MergeReportsTheJsonPathOfBadInput) {
  std::ofstream(dir_ / "bad.json") << R"({"sysfence_profile":1,"backend":"x","arch":"x86_64","syscalls":[{"arch":"x86_64","name":"read","nr":0,"count":-3}]})";
  EXPECT_EQ(Run({Sysfence(), "merge", (dir_ / "bad.json").string(), "-o", (dir_ / "m.sfp").string()}), 2);
  EXPECT_NE(Err().find("$.syscalls[0].count"), std::string::npos) << Err();
  EXPECT_FALSE(fs::exists(dir_ / "m.sfp"));
}

TEST_F(RecordCli, RecordThenMergeTwoRunsUnitesThem) {
  ASSERT_EQ(Run({Sysfence(), "record", "-q", "--backend", "ptrace", "--json", (dir_ / "a.json").string(), "-o",
                 (dir_ / "a.sfp").string(), "--", "/bin/true"}),
            0)
      << Err();
  ASSERT_EQ(Run({Sysfence(), "record", "-q", "--backend", "unotify", "--summary", "--json", (dir_ / "b.json").string(),
                 "-o", (dir_ / "b.sfp").string(), "--", "/bin/echo", "hi"}),
            0)
      << Err();
  EXPECT_NE(Err().find("% calls"), std::string::npos) << Err();
  ASSERT_EQ(Run({Sysfence(), "merge", "-q", (dir_ / "a.json").string(), (dir_ / "b.json").string(), "-o",
                 (dir_ / "m.sfp").string()}),
            0)
      << Err();
  const std::string merged = ReadAll(dir_ / "m.sfp");
  EXPECT_NE(merged.find("2 recordings"), std::string::npos) << merged;
  EXPECT_NE(merged.find("allow write"), std::string::npos) << merged;  // echo's write
  ASSERT_EQ(Run({Sysfence(), "merge", (dir_ / "a.sfp").string(), (dir_ / "b.sfp").string(), "-o",
                 (dir_ / "p.sfp").string()}),
            0)
      << Err();
  EXPECT_NE(ReadAll(dir_ / "p.sfp").find("allow write"), std::string::npos);
  EXPECT_EQ(Run({Sysfence(), "merge", (dir_ / "a.json").string(), (dir_ / "b.sfp").string()}), 2);
}

}  // namespace
