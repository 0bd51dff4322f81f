// SPDX-License-Identifier: Apache-2.0
// End to end on real Debian programs: `sysfence record` a workload, then `sysfence run` the same
// workload under the generated policy in enforce mode and expect zero violations, with the automatic
// backend and with each backend by name, and attaching with -p to a running multithreaded program;
// then show that work outside the recording is denied.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
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

// Debian's interpreter, named in full: `python3` on PATH may be a version manager's shim script.
constexpr const char* kPython = "/usr/bin/python3";

// The multithreaded program of the -p test (tests/e2e/threads_helper_main.cc).
std::string ThreadsHelper() {
  return sysfence::test_paths::BinaryDir() + "/tests/e2e/sysfence_e2e_threads";
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
  while (std::getline(in, line)) lines += !line.empty() && line.find("\"type\":\"syscall\"") != std::string::npos;
  return lines;
}

// Starts `argv` (looked up in PATH) in `cwd` with stdin from /dev/null and stdout/stderr to files;
// returns its pid.
pid_t SpawnInBackground(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
                        const fs::path& cwd = ".") {
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
  return pid;
}

// Runs `argv` like SpawnInBackground and waits; returns the exit status (128+signal when killed).
int Spawn(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& out, const fs::path& err) {
  const pid_t pid = SpawnInBackground(argv, out, err, cwd);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

size_t CountOccurrences(const std::string& text, const std::string& word) {
  size_t count = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + word.size())) ++count;
  return count;
}

// The rule of a policy for recorded syscall `name` ("allow NAME" or "allow NAME if ..."), with the
// comment above it; empty if the policy has none.
std::string RuleFor(const std::string& policy, const std::string& name) {
  std::istringstream in(policy);
  std::string comment, line;
  while (std::getline(in, line)) {
    if (line == "allow " + name || line.rfind("allow " + name + " if ", 0) == 0) return comment + "\n" + line;
    comment = line;
  }
  return "";
}

// The number of calls the comment of `name`'s rule gives ("# @group: 1234 calls, ..."); 0 if none.
uint64_t CallsOf(const std::string& policy, const std::string& name) {
  const std::string rule = RuleFor(policy, name);
  const size_t colon = rule.find(": ");
  if (rule.rfind("# @", 0) != 0 || colon == std::string::npos) return 0;
  return std::strtoull(rule.c_str() + colon + 2, nullptr, 10);
}

// Per thread of `pid`: its state letter and voluntary context switches (every sleep is one).
std::map<std::string, std::pair<char, uint64_t>> Threads(pid_t pid) {
  std::map<std::string, std::pair<char, uint64_t>> threads;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  for (const auto& task : fs::directory_iterator(tasks, error)) {
    std::ifstream status(task.path() / "status");
    std::string line;
    char state = '?';
    uint64_t switches = 0;
    while (std::getline(status, line)) {
      const size_t letter = line.find_first_not_of(" \t", 6);
      if (line.rfind("State:", 0) == 0 && letter != std::string::npos) state = line[letter];
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) switches = std::strtoull(line.c_str() + 24, nullptr, 10);
    }
    threads[task.path().filename().string()] = {state, switches};
  }
  return threads;
}

class RecordThenRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the e2e suite runs as root (CI does) [feature: root]";
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
  // `options` go to `sysfence record` (e.g. {"--backend", "ptrace"}).
  fs::path RecordPolicy(const std::string& name, const std::vector<std::string>& workload,
                        const std::function<void(const fs::path&)>& prepare = {},
                        const std::vector<std::string>& options = {}) {
    const fs::path work = dir_ / (name + "-record");
    fs::create_directories(work);
    if (prepare) prepare(work);
    const fs::path policy = dir_ / (name + ".sfp");
    std::vector<std::string> argv = {Sysfence(), "record", "-q", "-o", policy.string()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
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
    // `run` writes a start record before the program starts: no file means the check below would
    // prove nothing, so it counts as a failure.
    EXPECT_TRUE(fs::exists(events)) << "run wrote no events file: " << events;
    *violations = fs::exists(events) ? CountLines(events) : ~size_t{0};
    return status;
  }

  // Record, then run enforced: the same work passes with no violation.
  void ExpectRecordedWorkPasses(const std::string& name, const std::vector<std::string>& workload,
                                const std::function<void(const fs::path&)>& prepare = {},
                                const std::vector<std::string>& options = {}) {
    const fs::path policy = RecordPolicy(name, workload, prepare, options);
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
  if (access(kPython, X_OK) != 0)
    GTEST_SKIP() << kPython << " is not installed (Debian's python3 package) [feature: python3]";
  ExpectRecordedWorkPasses("python", {kPython, "-c", "import json, os; print(json.dumps(sorted(os.listdir('/etc'))[:3]))"});
  EXPECT_EQ(ReadAll(dir_ / "python.run.out").rfind("[\"", 0), 0u) << ReadAll(dir_ / "python.run.out");
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

// Landlock's ABI on this kernel (0 when the kernel has none or it is disabled).
int LandlockAbi() {
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1u /* LANDLOCK_CREATE_RULESET_VERSION */);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

// `record --fs` then `run` in the same folder, with what the recording created removed first: the
// fs rules must let the program start (execve opens the ELF interpreter itself, unseen by the
// recorder) and must not name files the program creates (Landlock cannot add a rule for a missing
// path, so the run would stop before it starts).
void ExpectFsRecordingRunsAgain(const fs::path& dir, const std::string& name, const std::vector<std::string>& workload,
                                const std::vector<std::string>& options = {},
                                const std::vector<std::string>& created = {}) {
  if (LandlockAbi() == 0) GTEST_SKIP() << "Landlock is not available on this kernel [feature: landlock]";
  const fs::path work = dir / name;
  fs::create_directories(work);
  const fs::path policy = dir / (name + ".sfp");
  std::vector<std::string> record = {Sysfence(), "record", "-q", "--fs", "-o", policy.string()};
  record.insert(record.end(), options.begin(), options.end());
  record.push_back("--");
  record.insert(record.end(), workload.begin(), workload.end());
  ASSERT_EQ(Spawn(record, work, dir / (name + ".record.out"), dir / (name + ".record.err")), 0)
      << ReadAll(dir / (name + ".record.err"));
  const std::string text = ReadAll(policy);
  EXPECT_NE(text.find("/lib64/ld-linux-x86-64.so.2"), std::string::npos) << "no rule for the ELF interpreter:\n" << text;
  for (const std::string& file : created) {
    EXPECT_EQ(text.find((work / file).string()), std::string::npos) << file << " is named:\n" << text;
    fs::remove(work / file);
  }
  std::vector<std::string> run = {Sysfence(), "run", "-q", "--policy", policy.string(), "--"};
  run.insert(run.end(), workload.begin(), workload.end());
  EXPECT_EQ(Spawn(run, work, dir / (name + ".run.out"), dir / (name + ".run.err")), 0)
      << ReadAll(dir / (name + ".run.err")) << "\npolicy:\n" << text;
}

TEST_F(RecordThenRun, FsRecordingOfADynamicallyLinkedProgramStartsAgain) {
  ExpectFsRecordingRunsAgain(dir_, "true-unotify", {"/bin/true"}, {"--backend", "unotify"});
}

TEST_F(RecordThenRun, FsRecordingWithPtraceStartsAgain) {
  ExpectFsRecordingRunsAgain(dir_, "ls-ptrace", {"/usr/bin/ls", "-l", "/etc/hostname"}, {"--backend", "ptrace"});
}

TEST_F(RecordThenRun, FsRecordingOfAProgramThatCreatesFilesRunsAfresh) {
  ExpectFsRecordingRunsAgain(dir_, "tar-creates", {"/bin/sh", "-c", "echo hi > out.txt && tar cf a.tar out.txt"}, {},
                             {"out.txt", "a.tar"});
}

TEST_F(RecordThenRun, CurlAgainstALoopbackHttpServer) {
  if (access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed [feature: curl]";
  if (access(kPython, X_OK) != 0)
    GTEST_SKIP() << kPython << " is not installed (it serves the page) [feature: python3]";
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
    execl(kPython, kPython, "-c", server_code.c_str(), root.c_str(), port_file.c_str(), nullptr);
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
  if (access(kPython, X_OK) != 0)
    GTEST_SKIP() << kPython << " is not installed (Debian's python3 package) [feature: python3]";
  // Recorded: python importing the socket module and printing. Run: python opening a socket, which
  // the recording never saw (the import itself needs calls, e.g. getcwd, that `print(1)` does not).
  const fs::path policy = RecordPolicy("python-print", {kPython, "-c", "import socket; print(1)"});
  size_t violations = 0;
  const int status = RunEnforced(
      "python-socket", policy,
      {kPython, "-c", "import socket\ntry:\n socket.socket()\nexcept PermissionError:\n raise SystemExit(42)"},
      &violations);
  EXPECT_EQ(status, 42) << ReadAll(dir_ / "python-socket.run.err");
  EXPECT_GE(violations, 1u);
  EXPECT_NE(ReadAll(dir_ / "python-socket.events.jsonl").find("socket"), std::string::npos);
}

TEST_F(RecordThenRun, ArgumentConditionsDenyUnseenValues) {
  if (access(kPython, X_OK) != 0)
    GTEST_SKIP() << kPython << " is not installed (Debian's python3 package) [feature: python3]";
  // Recorded: a Unix socket. Run: an IPv4 socket; socket is allowed, but only for AF_UNIX.
  const fs::path policy = RecordPolicy(
      "python-unix", {kPython, "-c", "import socket; socket.socket(socket.AF_UNIX).close()"});
  EXPECT_NE(ReadAll(policy).find("allow socket if"), std::string::npos) << ReadAll(policy);
  size_t violations = 0;
  const int status = RunEnforced(
      "python-inet", policy,
      {kPython, "-c",
       "import socket\nsocket.socket(socket.AF_UNIX).close()\ntry:\n socket.socket(socket.AF_INET)\n"
       "except PermissionError:\n raise SystemExit(42)"},
      &violations);
  EXPECT_EQ(status, 42) << ReadAll(dir_ / "python-inet.run.err");
  EXPECT_GE(violations, 1u);
}

// The argument meanings are one table: `run --monitor` events and `record --json` name the same
// values alike, and decode options by level, flag sets, clone's exit signal, and no phantom
// arguments, on a real program.
TEST_F(RecordThenRun, EventsAndRecordingsNameArgumentsAlike) {
  if (access(kPython, X_OK) != 0)
    GTEST_SKIP() << kPython << " is not installed (Debian's python3 package) [feature: python3]";
  const std::vector<std::string> workload = {
      kPython, "-c",
      "import os, socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
      "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\na, b = socket.socketpair()\n"
      "pid = os.fork()\nif pid == 0:\n os._exit(0)\nos.waitpid(pid, 0)\nos.getppid()\nprint('done')\n"};
  const fs::path recording = dir_ / "decode.json";
  RecordPolicy("decode", workload, {}, {"--json", recording.string()});
  const nlohmann::json recorded = nlohmann::json::parse(ReadAll(recording));
  // name -> argument name -> the decoded values the recording lists.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> decoded;
  for (const nlohmann::json& entry : recorded["syscalls"]) {
    for (const nlohmann::json& arg : entry.value("args", nlohmann::json::array())) {
      if (arg.contains("decoded")) decoded[entry["name"]][arg["name"]] = arg["decoded"];
    }
  }
  const fs::path policy = dir_ / "monitor.sfp";
  std::ofstream(policy) << "arch x86_64\ndefault allow\nerrno EPERM socket socketpair setsockopt clone getppid\n";
  const fs::path events_path = dir_ / "decode.events.jsonl";
  const int status = Spawn({Sysfence(), "run", "-q", "--monitor", "--policy", policy.string(), "--events",
                            events_path.string(), "--", workload[0], workload[1], workload[2]},
                           dir_, dir_ / "decode.run.out", dir_ / "decode.run.err");
  ASSERT_EQ(status, 0) << ReadAll(dir_ / "decode.run.err");
  EXPECT_EQ(ReadAll(dir_ / "decode.run.out"), "done\n");
  std::map<std::string, nlohmann::json> events;  // syscall -> its first event
  std::istringstream lines(ReadAll(events_path));
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json event = nlohmann::json::parse(line);
    if (event.value("type", "") == "syscall") events.try_emplace(event["syscall"], event);
  }
  auto text_of = [&](const std::string& syscall, const std::string& arg) -> std::string {
    for (const nlohmann::json& a : events[syscall]["args"]) {
      if (a["name"] == arg) return a.value("text", "");
    }
    return "<no argument " + arg + ">";
  };
  EXPECT_EQ(text_of("setsockopt", "level"), "SOL_TCP");
  EXPECT_EQ(text_of("setsockopt", "optname"), "TCP_NODELAY");  // not SO_DEBUG
  EXPECT_EQ(text_of("socketpair", "family"), "AF_UNIX");       // not AF_FILE
  EXPECT_EQ(text_of("socketpair", "type"), "SOCK_STREAM|SOCK_CLOEXEC");
  EXPECT_EQ(text_of("socket", "protocol"), "IPPROTO_IP");
  EXPECT_EQ(text_of("clone", "clone_flags"), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(events["getppid"]["args"], nlohmann::json::array());  // no phantom arguments
  // The recording names the same values the same way.
  for (const auto& [syscall, arg] : std::vector<std::pair<std::string, std::string>>{
           {"setsockopt", "level"}, {"setsockopt", "optname"}, {"socketpair", "family"},
           {"socketpair", "type"}, {"socket", "family"}, {"socket", "type"}, {"clone", "clone_flags"}}) {
    const std::vector<std::string>& values = decoded[syscall][arg];
    EXPECT_NE(std::find(values.begin(), values.end(), text_of(syscall, arg)), values.end())
        << syscall << " " << arg << ": event says " << text_of(syscall, arg) << ", recording " << recorded.dump();
  }
}

// Attaching through the CLI: `sysfence record -p PID --duration S` records a running multithreaded
// program (its threads, and the workers it starts and the recorder follows) and detaches; the
// program runs on, and the same program, started under the policy, runs with no violation.
void ExpectAttachedRecordingRunsTheProgram(const fs::path& dir, const std::vector<std::string>& backend_options) {
  if (access(ThreadsHelper().c_str(), X_OK) != 0) GTEST_SKIP() << "helper not built: " << ThreadsHelper();
  // 4 threads, until killed, a worker every 200 ms.
  const fs::path out = dir / "threads.out";
  const pid_t pid = SpawnInBackground({ThreadsHelper(), "4", "0", "200"}, out, dir / "threads.err");
  ASSERT_GT(pid, 0);
  struct Reaper {  // the helper runs until killed: kill it however the test ends
    pid_t child;
    ~Reaper() {
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
    }
  } reaper{pid};
  for (int i = 0; i < 250 && ReadAll(out).find("ready") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(ReadAll(out).find("ready"), std::string::npos) << "the helper did not start: " << ReadAll(dir / "threads.err");
  ASSERT_EQ(Threads(pid).size(), 5u);

  const fs::path policy = dir / "threads.sfp";
  std::vector<std::string> argv = {Sysfence(), "record", "-o", policy.string(), "-p", std::to_string(pid),
                                   "--duration", "1.5"};
  argv.insert(argv.end(), backend_options.begin(), backend_options.end());
  const auto started = std::chrono::steady_clock::now();
  const int status = Spawn(argv, dir, dir / "attach.out", dir / "attach.err");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(status, 0) << ReadAll(dir / "attach.err");
  EXPECT_GE(took, std::chrono::milliseconds(1400)) << "--duration 1.5 ended early";
  EXPECT_LT(took, std::chrono::seconds(20)) << "--duration 1.5 did not end the recording";

  // The program runs on after the recorder detached: it has not exited, no thread is left stopped
  // or traced, every thread still sleeps and wakes, and the main thread still starts workers.
  const size_t workers_then = CountOccurrences(ReadAll(out), "ready");
  const auto threads_then = Threads(pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "the program ended after the recorder detached";
  const auto threads_now = Threads(pid);
  EXPECT_EQ(threads_now.size(), 5u);
  for (const auto& [tid, state] : threads_now) {
    EXPECT_TRUE(state.first == 'S' || state.first == 'R') << "thread " << tid << " is in state " << state.first;
    ASSERT_EQ(threads_then.count(tid), 1u) << "thread " << tid << " is new";
    EXPECT_GT(state.second, threads_then.at(tid).second) << "thread " << tid << " no longer runs";
  }
  EXPECT_GT(CountOccurrences(ReadAll(out), "ready"), workers_then) << "the main thread no longer starts workers";

  // The policy holds what the threads do (many times over) and what the main thread and the workers do.
  const std::string text = ReadAll(policy);
  for (const char* name : {"getppid", "clock_nanosleep", "openat", "read", "close", "wait4", "execve", "clone3",
                           "futex", "exit_group"}) {
    EXPECT_NE(RuleFor(text, name), "") << name << " missing from\n" << text;
  }
  EXPECT_NE(RuleFor(text, "clone"), "") << "the main thread's fork is missing from\n" << text;
  EXPECT_GT(CallsOf(text, "getppid"), 100u) << RuleFor(text, "getppid");
  EXPECT_GT(CallsOf(text, "clock_nanosleep"), 100u) << RuleFor(text, "clock_nanosleep");
  EXPECT_EQ(RuleFor(text, "socket"), "") << "a call the program never makes is allowed:\n" << text;

  // The same program, started under the policy in enforce mode for one second: no violation.
  const fs::path events = dir / "threads.events.jsonl";
  const int run_status = Spawn({Sysfence(), "run", "--policy", policy.string(), "--events", events.string(), "--",
                                ThreadsHelper(), "4", "1", "200"},
                               dir, dir / "threads.run.out", dir / "threads.run.err");
  EXPECT_EQ(run_status, 0) << ReadAll(dir / "threads.run.err") << "\npolicy:\n" << text;
  ASSERT_TRUE(fs::exists(events));
  EXPECT_EQ(CountLines(events), 0u) << ReadAll(events) << "\npolicy:\n" << text;
  EXPECT_NE(ReadAll(events).find("\"exit_status\":0"), std::string::npos) << ReadAll(events);
  EXPECT_GE(CountOccurrences(ReadAll(dir / "threads.run.out"), "ready"), 2u) << "no worker ran under the policy";
}

TEST_F(RecordThenRun, AttachToARunningMultithreadedProgram) {
  // auto: ebpf as root where it loads, else ptrace.
  ExpectAttachedRecordingRunsTheProgram(dir_, {});
  if (HasFatalFailure() || IsSkipped()) return;
  const std::string text = ReadAll(dir_ / "threads.sfp");
  EXPECT_TRUE(text.find(", ebpf backend,") != std::string::npos || text.find(", ptrace backend,") != std::string::npos)
      << text;
}

TEST_F(RecordThenRun, AttachWithPtraceToARunningMultithreadedProgram) {
  ExpectAttachedRecordingRunsTheProgram(dir_, {"--backend", "ptrace"});
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_NE(ReadAll(dir_ / "threads.sfp").find(", ptrace backend,"), std::string::npos) << ReadAll(dir_ / "threads.sfp");
}

// Record with each backend by name (not only auto, which is ebpf as root), then run under each
// policy in enforce mode: the same work passes with no violation.
class RecordThenRunWithBackend : public RecordThenRun, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    RecordThenRun::SetUp();
    if (IsSkipped() || GetParam() != "ebpf") return;
    // ebpf needs kernel BTF and a sysfence built with clang and bpftool; a probe says which is missing.
    const int status = Spawn({Sysfence(), "record", "-q", "--backend", "ebpf", "-o", "/dev/null", "--", "/bin/true"},
                             dir_, dir_ / "probe.out", dir_ / "probe.err");
    const std::string err = ReadAll(dir_ / "probe.err");
    if (status != 0 && (err.find("needs kernel BTF") != std::string::npos ||
                        err.find("built without the ebpf backend") != std::string::npos)) {
      GTEST_SKIP() << "[feature: ebpf] [feature: ebpf-toolchain] " << err;
    }
  }
  std::vector<std::string> Options() const { return {"--backend", GetParam()}; }
};

TEST_P(RecordThenRunWithBackend, TarAndGzip) {
  auto prepare = [](const fs::path& work) {
    fs::create_directories(work / "tree" / "sub");
    std::ofstream(work / "tree" / "a.txt") << std::string(10000, 'a');
    std::ofstream(work / "tree" / "sub" / "b.txt") << "b\n";
  };
  ExpectRecordedWorkPasses("tar", {"sh", "-c", "tar -czf out.tgz tree && tar -tzf out.tgz | sort"}, prepare, Options());
  EXPECT_NE(ReadAll(dir_ / "tar.sfp").find(", " + GetParam() + " backend,"), std::string::npos) << ReadAll(dir_ / "tar.sfp");
  const std::string listing = ReadAll(dir_ / "tar.run.out");
  EXPECT_NE(listing.find("tree/a.txt"), std::string::npos) << listing;
  EXPECT_NE(listing.find("tree/sub/b.txt"), std::string::npos) << listing;
  EXPECT_GT(fs::file_size(dir_ / "tar-run" / "out.tgz"), 0u);
}

TEST_P(RecordThenRunWithBackend, Ls) {
  ExpectRecordedWorkPasses("ls", {"ls", "-la", "/usr/share/doc/coreutils"}, {}, Options());
  EXPECT_NE(ReadAll(dir_ / "ls.sfp").find(", " + GetParam() + " backend,"), std::string::npos) << ReadAll(dir_ / "ls.sfp");
  EXPECT_NE(ReadAll(dir_ / "ls.run.out").find("copyright"), std::string::npos) << ReadAll(dir_ / "ls.run.out");
}

INSTANTIATE_TEST_SUITE_P(EachBackend, RecordThenRunWithBackend, ::testing::Values("ebpf", "unotify", "ptrace"),
                         [](const auto& param_info) { return param_info.param; });

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
  if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0)
    GTEST_SKIP() << "needs root and setpriv to drop privileges [feature: root] [feature: setpriv]";
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
