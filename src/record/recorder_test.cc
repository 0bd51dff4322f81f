// SPDX-License-Identifier: Apache-2.0
// The recorders on real programs: every backend records the same syscall set for the same program,
// attaching with -p to a running multithreaded program, and bad requests that start nothing.
#include "record/recorder.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// Starts `threads` mode and waits for its "ready" line.
pid_t StartThreadedWorkload(int threads) {
  int out[2];
  if (pipe(out) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(Workload().c_str(), "sysfence_record_workload", "threads", std::to_string(threads).c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  char line[16] = {};
  (void)!read(out[0], line, sizeof(line) - 1);
  close(out[0]);
  return pid;
}

void AttachTest(Backend backend) {
  const pid_t pid = StartThreadedWorkload(4);
  ASSERT_GT(pid, 0);
  std::atomic<int> stop{0};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    stop.store(SIGINT);
    // The recorder waits in waitpid/sleep; a signal to this process wakes waitpid (no SA_RESTART).
  });
  struct sigaction action {};
  action.sa_handler = [](int) {};
  sigaction(SIGUSR1, &action, nullptr);
  std::thread waker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(650));
    kill(getpid(), SIGUSR1);
  });
  RecordOptions options;
  options.backend = backend;
  options.pid = pid;
  options.stop_signal = &stop;
  auto result = Record(options);
  stopper.join();
  waker.join();
  // The program runs on after the recorder detached.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line, state;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) state = line;
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_TRUE(result.ok()) << result.error().message;
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
