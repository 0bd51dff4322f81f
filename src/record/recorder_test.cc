// SPDX-License-Identifier: Apache-2.0
// The recorders on real programs: every backend records the same syscall set for the same program,
// attaching with -p to a running multithreaded program, and bad requests that start nothing.
#include "record/recorder.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "policy/policy.h"
#include "record/backends.h"
#include "syscalls/syscalls.h"
#include "tests/support/test_paths.h"

namespace sysfence::record {
namespace {

std::string Workload() {
  return sysfence::test_paths::BinaryDir() + "/src/record/sysfence_record_workload";
}

std::set<std::string> Names(const profile::Profile& profile) {
  std::set<std::string> names;
  for (const profile::SyscallRecord& record : profile.syscalls) names.insert(record.name);
  return names;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += name + " ";
  return out;
}

// Runs `command` with stdout silenced (the workload prints "ok").
Result<RecordResult> RecordQuietly(Backend backend, std::vector<std::string> command) {
  RecordOptions options;
  options.backend = backend;
  options.command = std::move(command);
  fflush(stdout);
  const int saved = dup(1);
  freopen("/dev/null", "w", stdout);
  auto result = Record(options);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  return result;
}

bool Usable(Backend backend, std::string* why) {
  if (backend == Backend::kEbpf) {
    auto usable = EbpfUsable();
    if (!usable.ok()) *why = usable.error().message;
    return usable.ok();
  }
  return true;
}

class BackendTest : public ::testing::TestWithParam<Backend> {};

TEST_P(BackendTest, RecordsTheWorkloadWithItsArgumentsAndErrors) {
  std::string why;
  if (!Usable(GetParam(), &why)) GTEST_SKIP() << "[feature: ebpf] [feature: ebpf-toolchain] " << why;
  auto result = RecordQuietly(GetParam(), {Workload(), "basic"});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->exit_status, 0);
  EXPECT_EQ(result->backend, GetParam());
  const profile::Profile& profile = result->profile;
  const auto names = Names(profile);
  for (const char* expected : {"execve", "openat", "read", "close", "socket", "prctl", "uname", "write", "exit_group",
                               "getpid", "getppid", "gettid"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected << " missing from " << Join(names);
  }
  EXPECT_TRUE(names.count("clone3") || names.count("clone")) << Join(names);
  const profile::SyscallRecord* socket = profile::FindSyscall(profile, NativeArch(), "socket");
  ASSERT_NE(socket, nullptr);
  EXPECT_EQ(socket->args.at(0).values, (std::set<uint64_t>{1, 2}));  // AF_UNIX, AF_INET
  const profile::SyscallRecord* prctl = profile::FindSyscall(profile, NativeArch(), "prctl");
  ASSERT_NE(prctl, nullptr);
  EXPECT_EQ(prctl->args.at(0).values.count(3), 1u);  // PR_GET_DUMPABLE
  const profile::SyscallRecord* openat = profile::FindSyscall(profile, NativeArch(), "openat");
  if (GetParam() == Backend::kUnotify) {
    EXPECT_FALSE(profile.errors_known);  // the call runs after the answer: its result is unseen
  } else {
    EXPECT_TRUE(profile.errors_known);
    EXPECT_GE(openat->errors, 1u);  // the failing open
  }
  EXPECT_GE(profile.process_images, 1u);
  EXPECT_FALSE(profile.executables.empty());
}

TEST_P(BackendTest, KeepsCallsOverTimeAndTheProcessTree) {
  std::string why;
  if (!Usable(GetParam(), &why)) GTEST_SKIP() << "[feature: ebpf] [feature: ebpf-toolchain] " << why;
  // dash forks a child for each external command; the trailing ':' keeps it from exec'ing the last.
  auto result = RecordQuietly(GetParam(), {"/bin/sh", "-c", "/bin/true; /bin/true; :"});
  ASSERT_TRUE(result.ok()) << result.error().message;
  const profile::Profile& profile = result->profile;
  // Every call falls in some interval, and the intervals are no finer than the backend counts.
  EXPECT_EQ(profile.timeline.Total(), profile::TotalCalls(profile));
  EXPECT_LE(profile.timeline.calls.size(), profile::kMaxTimelineIntervals);
  EXPECT_GE(profile.timeline.interval_ns, GetParam() == Backend::kEbpf ? 4'000'000u : 1'000'000u);
  ASSERT_EQ(profile.processes.size(), 3u);
  const profile::ProcessNode& shell = profile.processes[0];
  EXPECT_EQ(shell.parent, 0);
  EXPECT_NE(shell.name.find("sh"), std::string::npos) << shell.name;
  uint64_t calls = 0;
  for (const profile::ProcessNode& process : profile.processes) calls += process.calls;
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(profile.processes[i].parent, shell.pid);
    EXPECT_NE(profile.processes[i].name.find("true"), std::string::npos) << profile.processes[i].name;
  }
  // ptrace and unotify count per process; eBPF counts per image and leaves it at 0.
  EXPECT_EQ(calls, GetParam() == Backend::kEbpf ? 0 : profile::TotalCalls(profile));
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendTest,
                         ::testing::Values(Backend::kEbpf, Backend::kUnotify, Backend::kPtrace),
                         [](const auto& param_info) { return std::string(BackendName(param_info.param)); });

// Two different backends against the same program give the same syscall set (every pair).
class BackendPairTest : public ::testing::TestWithParam<std::pair<Backend, Backend>> {};

TEST_P(BackendPairTest, BinTrueAndTheWorkloadGiveTheSameSet) {
  const auto [first, second] = GetParam();
  ASSERT_NE(first, second);
  std::string why;
  if (!Usable(first, &why) || !Usable(second, &why))
    GTEST_SKIP() << "[feature: ebpf] [feature: ebpf-toolchain] " << why;
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"/bin/true"}, std::vector<std::string>{Workload(), "basic"}}) {
    auto a = RecordQuietly(first, command);
    auto b = RecordQuietly(second, command);
    ASSERT_TRUE(a.ok()) << BackendName(first) << ": " << a.error().message;
    ASSERT_TRUE(b.ok()) << BackendName(second) << ": " << b.error().message;
    EXPECT_EQ(a->backend, first);
    EXPECT_EQ(b->backend, second);
    EXPECT_EQ(a->exit_status, 0);
    EXPECT_EQ(b->exit_status, 0);
    EXPECT_GE(Names(a->profile).size(), 5u) << Join(Names(a->profile));  // not two empty sets
    EXPECT_EQ(Join(Names(a->profile)), Join(Names(b->profile)))
        << command[0] << ": " << BackendName(first) << " vs " << BackendName(second);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPair, BackendPairTest,
                         ::testing::Values(std::pair{Backend::kEbpf, Backend::kUnotify},
                                           std::pair{Backend::kEbpf, Backend::kPtrace},
                                           std::pair{Backend::kUnotify, Backend::kPtrace}),
                         [](const auto& param_info) {
                           return std::string(BackendName(param_info.param.first)) + "_vs_" +
                                  std::string(BackendName(param_info.param.second));
                         });

int64_t MonotonicNow() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// The workload in `threads` mode, started and past its "ready" line; killed and reaped at the end.
// It prints "child T" after reaping each child it forked at CLOCK_MONOTONIC time T, which lets a
// test wait for children forked after some moment instead of sleeping for a guessed time.
class ThreadedWorkload {
 public:
  explicit ThreadedWorkload(int threads) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      execl(Workload().c_str(), "sysfence_record_workload", "threads", std::to_string(threads).c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
    if (pid_ > 0 && NextLine(60'000) != "ready") Kill();
  }
  ~ThreadedWorkload() {
    Kill();
    if (out_ >= 0) close(out_);
  }
  ThreadedWorkload(const ThreadedWorkload&) = delete;
  ThreadedWorkload& operator=(const ThreadedWorkload&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }

  // Waits until `count` children forked at or after `since_ns` have been reaped; false when the
  // workload reports none within `timeout_ms` of one another.
  bool WaitForChildrenForkedAfter(int64_t since_ns, int count, int timeout_ms) {
    while (count > 0) {
      const std::string line = NextLine(timeout_ms);
      if (line.rfind("child ", 0) != 0) return false;
      if (std::stoll(line.substr(6)) >= since_ns) --count;
    }
    return true;
  }

 private:
  // The next line of output without its newline; "" at the end or after `timeout_ms` of silence.
  std::string NextLine(int timeout_ms) {
    for (;;) {
      if (const size_t end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      pollfd ready{out_, POLLIN, 0};
      if (poll(&ready, 1, timeout_ms) <= 0) return "";
      char chunk[256];
      const ssize_t got = read(out_, chunk, sizeof(chunk));
      if (got <= 0) return "";
      buffer_.append(chunk, static_cast<size_t>(got));
    }
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

// True when every thread of `pid` has a tracer (ptrace has seized them all).
bool EveryThreadTraced(pid_t pid) {
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  size_t seen = 0;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream status(task.path() / "status");
    std::string line;
    bool traced = false;
    while (std::getline(status, line)) {
      if (line.rfind("TracerPid:", 0) == 0) traced = std::stol(line.substr(10)) != 0;
    }
    if (!traced) return false;
    ++seen;
  }
  return !error && seen > 0;
}

void AttachTest(Backend backend) {
  ThreadedWorkload workload(4);
  const pid_t pid = workload.pid();
  ASSERT_GT(pid, 0);
  std::atomic<int64_t> attached_ns{0};
  std::atomic<int> stop{0};
  std::atomic<bool> recording_over{false};
  struct sigaction action {};
  action.sa_handler = [](int) {};
  sigaction(SIGUSR1, &action, nullptr);
  const pthread_t recorder_thread = pthread_self();
  bool attached = false;
  bool children_seen = false;
  // Stops the recording once it has seen what the test asks for: it is under way (the eBPF
  // backend says so; ptrace has seized every thread), and three children were forked, made their
  // call and were reaped after that (300 ms of the threads' getppid calls meanwhile). Waiting for
  // these conditions, not for a fixed time, keeps a slow start (the eBPF program's load and
  // verification on a busy machine) from ending the recording before the program was watched.
  std::thread stopper([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline && !recording_over.load()) {
      if (attached_ns.load() != 0) break;
      if (backend == Backend::kPtrace && EveryThreadTraced(pid)) {
        attached_ns.store(MonotonicNow());
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    attached = attached_ns.load() != 0;
    children_seen = attached && workload.WaitForChildrenForkedAfter(attached_ns.load(), 3, 30'000);
    stop.store(SIGINT);
    // The recorder may wait in waitpid; a signal wakes it (no SA_RESTART).
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pthread_kill(recorder_thread, SIGUSR1);
  });
  RecordOptions options;
  options.backend = backend;
  options.pid = pid;
  options.stop_signal = &stop;
  options.on_attached = [&] { attached_ns.store(MonotonicNow()); };
  auto result = Record(options);
  const int64_t detached_ns = MonotonicNow();
  recording_over.store(true);
  stopper.join();
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(attached) << "the recording never got under way";
  ASSERT_TRUE(children_seen) << "the workload forked no children while recorded";
  // The program runs on after the recorder detached: it forks and reaps another child, and is in
  // no tracing stop.
  EXPECT_TRUE(workload.WaitForChildrenForkedAfter(detached_ns, 1, 30'000)) << "the program stopped running";
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line, state;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) state = line;
  }
  EXPECT_EQ(state.find("t (tracing stop)"), std::string::npos) << state;
  const auto names = Names(result->profile);
  // The threads' calls, the main thread's forks and waits, and the children's getuid.
  for (const char* expected : {"getppid", "clock_nanosleep", "wait4", "getuid"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected << " missing from " << Join(names);
  }
  EXPECT_TRUE(names.count("clone") || names.count("clone3")) << Join(names);
  const auto* getppid = profile::FindSyscall(result->profile, NativeArch(), "getppid");
  ASSERT_NE(getppid, nullptr);
  EXPECT_GT(getppid->count, 20u);
  EXPECT_GE(result->profile.process_images, 2u);  // the children were followed
}

TEST(AttachTest, PtraceFollowsAllThreadsAndNewChildrenThenDetaches) { AttachTest(Backend::kPtrace); }

TEST(AttachTest, EbpfFollowsAllThreadsAndNewChildren) {
  auto usable = EbpfUsable();
  if (!usable.ok()) GTEST_SKIP() << "[feature: ebpf] [feature: ebpf-toolchain] " << usable.error().message;
  AttachTest(Backend::kEbpf);
}

TEST(RecordOptionsTest, BadRequestsStartNothing) {
  RecordOptions missing;
  missing.command = {"/nonexistent/program"};
  auto checked = CheckRecordOptions(missing);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, ErrorCode::kNotFound);
  missing.command = {"sysfence-no-such-program-anywhere"};
  checked = CheckRecordOptions(missing);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("not found in PATH"), std::string::npos);

  RecordOptions no_pid;
  no_pid.pid = 0x3ffffff0;  // above pid_max
  no_pid.backend = Backend::kPtrace;
  checked = CheckRecordOptions(no_pid);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, ErrorCode::kNotFound);

  RecordOptions nothing;
  EXPECT_EQ(CheckRecordOptions(nothing).error().code, ErrorCode::kInvalidInput);

  RecordOptions unotify_attach;
  unotify_attach.backend = Backend::kUnotify;
  unotify_attach.pid = getpid() == 1 ? 2 : 1;
  EXPECT_EQ(CheckRecordOptions(unotify_attach).error().code, ErrorCode::kInvalidInput);

  RecordOptions ebpf_paths;
  ebpf_paths.backend = Backend::kEbpf;
  ebpf_paths.paths = true;
  ebpf_paths.command = {"/bin/true"};
  EXPECT_FALSE(CheckRecordOptions(ebpf_paths).ok());
}

TEST(RecordOptionsTest, AutoPrefersEbpfAsRootAndSaysWhy) {
  RecordOptions options;
  options.command = {"/bin/true"};
  std::string why;
  const Backend chosen = ChooseBackend(options, &why);
  EXPECT_FALSE(why.empty());
  if (EbpfUsable().ok()) {
    EXPECT_EQ(chosen, Backend::kEbpf);
  } else {
    EXPECT_EQ(chosen, Backend::kUnotify);
  }
  options.paths = true;
  EXPECT_NE(ChooseBackend(options, &why), Backend::kEbpf);
}

TEST(PathsTest, UnotifyAndPtraceRecordOpenedAndExecutedPaths) {
  for (Backend backend : {Backend::kUnotify, Backend::kPtrace}) {
    RecordOptions options;
    options.backend = backend;
    options.paths = true;
    options.command = {Workload(), "basic"};
    fflush(stdout);
    const int saved = dup(1);
    freopen("/dev/null", "w", stdout);
    auto result = Record(options);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto& paths = result->profile.paths;
    ASSERT_EQ(paths.count("/etc/hostname"), 1u) << BackendName(backend);
    EXPECT_NE(paths.at("/etc/hostname") & policy::kFsReadFile, 0u);
    EXPECT_EQ(paths.count("/nonexistent/sysfence-workload"), 0u);  // failed lookups are dropped
    EXPECT_TRUE(result->profile.paths_known);
  }
}

}  // namespace
}  // namespace sysfence::record
