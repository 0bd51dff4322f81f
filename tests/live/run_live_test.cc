// SPDX-License-Identifier: Apache-2.0
// `sysfence run` end to end: the CLI binary runs real programs (sf_probe, /bin/true, ls, sh) under
// policies, against the running kernel.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "tests/live/live_util.h"

namespace sysfence::live {
namespace {

class RunLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = LiveSkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }

  // Runs `sysfence run --events EVENTS --policy POLICY [extra...] -- command...`.
  Finished Run(const std::string& policy_text, const std::vector<std::string>& command,
               const std::vector<std::string>& extra = {}) {
    const std::string policy = dir_.Write("policy.sfp", policy_text);
    std::vector<std::string> argv = {SysfenceBinary(), "run", "--policy", policy, "--events", events_path()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return RunCommand(argv);
  }
  std::string events_path() const { return dir_.Path("events.jsonl"); }
  std::vector<nlohmann::json> Events() const { return ReadEvents(events_path()); }

  TempDir dir_;
};

constexpr const char* kAllowAllBut = "arch x86_64\ndefault allow\n";

// Enforce-mode denials are the kernel's; their events come from its audit records, which only root
// may read. Tests about those events skip, saying so, for other users.
#define REQUIRE_DENIAL_EVENTS() \
  if (geteuid() != 0)           \
    GTEST_SKIP() << "enforce-mode denial events come from the kernel audit stream (root only) [feature: root]"

TEST_F(RunLiveTest, AllowedProgramRunsAndExitsZero) {
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM uname\n", {"/bin/true"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(EventsFor(Events(), "uname").empty());
}

TEST_F(RunLiveTest, ErrnoRuleDeniesWithItsErrnoAndReportsTheRule) {
  REQUIRE_DENIAL_EVENTS();
  const Finished run = Run(std::string(kAllowAllBut) + "errno EACCES uname\n", {ProbeBinary(), "call", "uname"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=EACCES\n");
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u);
  const auto& event = events[0];
  EXPECT_EQ(event["mode"], "enforce");
  EXPECT_EQ(event["source"], "audit");  // the kernel denied it and said so; sysfence only reports
  EXPECT_EQ(event["schema"], 2);
  EXPECT_EQ(event["outcome"], "denied");
  EXPECT_EQ(event["action"], "errno EACCES");
  EXPECT_EQ(event["rule"], dir_.Path("policy.sfp") + ":3");
  EXPECT_EQ(event["arch"], "x86_64");
  EXPECT_EQ(event["nr"], 63);
  EXPECT_EQ(event["suggest"], "allow uname");
  EXPECT_EQ(event["exe"], ProbeBinary());
  EXPECT_GT(event["pid"].get<int>(), 0);
  EXPECT_EQ(event["tid"], 0);  // audit records name the process, not the thread
  EXPECT_EQ(event["args"], nlohmann::json::array());
  // RFC 3339 with nanoseconds, UTC.
  EXPECT_EQ(event["time"].get<std::string>().size(), std::string("2026-11-23T18:50:01.123456789Z").size());
  EXPECT_NE(run.err.find("denied uname"), std::string::npos) << run.err;
}

constexpr const char* kStartupAllowlist =
    "arch x86_64\ndefault errno EPERM\nallow @default @file-system @process @signal "
    "@io-event @ipc @memory @resources @basic-io execve futex rseq set_robust_list "
    "set_tid_address arch_prctl prlimit64 getrandom brk mmap munmap mprotect\n";

TEST_F(RunLiveTest, DefaultDenialNamesDefault) {
  REQUIRE_DENIAL_EVENTS();
  const Finished run = Run(kStartupAllowlist, {ProbeBinary(), "call", "socket-netlink"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=EPERM\n");
  const auto events = EventsFor(Events(), "socket");
  ASSERT_EQ(events.size(), 1u) << ReadFile(events_path());
  EXPECT_EQ(events[0]["rule"], "default");
  EXPECT_EQ(events[0]["action"], "errno EPERM");
  EXPECT_EQ(events[0]["suggest"], "allow socket");
}

// Monitor mode sees the call through a notification: arguments are decoded and the suggestion is
// as narrow as the call.
TEST_F(RunLiveTest, MonitorDecodesConstantsAndSuggestsANarrowRule) {
  const Finished run = Run(kStartupAllowlist, {ProbeBinary(), "call", "socket-netlink"}, {"--monitor"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto events = EventsFor(Events(), "socket");
  ASSERT_EQ(events.size(), 1u) << ReadFile(events_path());
  EXPECT_EQ(events[0]["source"], "notification");
  EXPECT_EQ(events[0]["rule"], "default");
  ASSERT_GE(events[0]["args"].size(), 1u);
  EXPECT_EQ(events[0]["args"][0]["name"], "family");
  EXPECT_EQ(events[0]["args"][0]["text"], "AF_NETLINK");
  EXPECT_EQ(events[0]["suggest"], "allow socket if family == AF_NETLINK");
}

TEST_F(RunLiveTest, LogRuleAllowsAndReports) {
  const Finished run = Run(std::string(kAllowAllBut) + "log uname\n", {ProbeBinary(), "call", "uname"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=0 errno=0\n");
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["outcome"], "allowed");
  EXPECT_EQ(events[0]["action"], "log");
}

TEST_F(RunLiveTest, KillRuleEndsTheProgramWithSigsysAndNamesTheSyscall) {
  REQUIRE_DENIAL_EVENTS();
  const Finished run = Run(std::string(kAllowAllBut) + "kill uname\n", {ProbeBinary(), "call", "uname"});
  EXPECT_EQ(run.status, 128 + SIGSYS) << run.err;
  EXPECT_EQ(run.out, "");  // killed before it could print
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["outcome"], "killed");
  EXPECT_EQ(events[0]["action"], "kill");
  EXPECT_NE(run.err.find("killed by a kill rule"), std::string::npos) << run.err;
}

TEST_F(RunLiveTest, TrapRuleRaisesSigsysInTheKernel) {
  const Finished run = Run(std::string(kAllowAllBut) + "trap uname\n", {ProbeBinary(), "call", "uname"});
  EXPECT_EQ(run.status, 128 + SIGSYS) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("died of SIGSYS"), std::string::npos) << run.err;
  if (geteuid() != 0) return;
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u) << ReadFile(events_path());
  EXPECT_EQ(events[0]["outcome"], "trapped");
  EXPECT_EQ(events[0]["action"], "trap");
}

TEST_F(RunLiveTest, KillThreadRuleEndsASingleThreadedProgramAndIsReported) {
  const Finished run = Run(std::string(kAllowAllBut) + "kill-thread uname\n", {ProbeBinary(), "call", "uname"});
  EXPECT_EQ(run.status, 128 + SIGSYS) << run.err;
  EXPECT_EQ(run.out, "");
  if (geteuid() != 0) {
    EXPECT_NE(run.err.find("dmesg | grep type=1326"), std::string::npos) << run.err;
    return;
  }
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u) << ReadFile(events_path());
  EXPECT_EQ(events[0]["outcome"], "thread-killed");
}

TEST_F(RunLiveTest, NotifyRuleIsADenialWithEnosys) {
  const Finished run = Run(std::string(kAllowAllBut) + "notify uname\n", {ProbeBinary(), "call", "uname"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=ENOSYS\n");
  if (geteuid() != 0) return;
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["action"], "notify");
  EXPECT_EQ(events[0]["rule"], dir_.Path("policy.sfp") + ":3");
}

TEST_F(RunLiveTest, MonitorLetsTheSameProgramRunAndSuggestsTheMissingLine) {
  const std::string policy = std::string(kAllowAllBut) + "errno EPERM getdents64\n";
  const Finished enforced = Run(policy, {"/bin/ls", "/"});
  EXPECT_NE(enforced.status, 0);
  EXPECT_EQ(enforced.out.find("usr"), std::string::npos);
  std::filesystem::remove(events_path());

  const Finished monitored = Run(policy, {"/bin/ls", "/"}, {"--monitor"});
  ASSERT_EQ(monitored.status, 0) << monitored.err;
  EXPECT_NE(monitored.out.find("usr"), std::string::npos);
  const auto events = Events();
  const auto getdents = EventsFor(events, "getdents64");
  ASSERT_EQ(getdents.size(), 1u);  // first of its shape only; the rest are counted
  EXPECT_EQ(getdents[0]["outcome"], "continued");
  EXPECT_EQ(getdents[0]["mode"], "monitor");
  ASSERT_FALSE(events.empty());
  const auto& summary = events.back();
  EXPECT_EQ(summary["type"], "summary");
  EXPECT_EQ(summary["suggested_lines"], nlohmann::json::array({"allow getdents64"}));
  EXPECT_GE(summary["reported_calls"].get<int>(), 2);  // ls reads / until getdents64 returns 0
  EXPECT_NE(monitored.err.find("allow getdents64"), std::string::npos) << monitored.err;
}

TEST_F(RunLiveTest, X32SyscallIsKilledAsBadArch) {
  REQUIRE_DENIAL_EVENTS();
#if !defined(__x86_64__)
  GTEST_SKIP() << "x32 is an x86_64 ABI [feature: x86_64]";
#endif
  const Finished run = Run(std::string(kAllowAllBut), {ProbeBinary(), "x32", "39"});
  EXPECT_EQ(run.status, 128 + SIGSYS) << run.err;
  const auto events = Events();
  ASSERT_GE(events.size(), 2u);  // the start record, then the kill
  EXPECT_EQ(events[1]["arch"], "x32");
  EXPECT_EQ(events[1]["rule"], "badarch");
  EXPECT_EQ(events[1]["nr"], 0x40000000 + 39);
  EXPECT_EQ(events[1]["outcome"], "killed");
}

TEST_F(RunLiveTest, Int80SyscallIsDeniedAsBadArch) {
  REQUIRE_DENIAL_EVENTS();
#if !defined(__x86_64__)
  GTEST_SKIP() << "int 0x80 is an x86_64 concern [feature: x86_64]";
#endif
  const Finished run = Run("arch x86_64\ndefault allow\nbadarch errno EPERM\n", {ProbeBinary(), "int80", "20"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=EPERM\n");
  const auto events = EventsFor(Events(), "getpid");
  ASSERT_EQ(events.size(), 1u) << ReadFile(events_path());
  EXPECT_EQ(events[0]["arch"], "x86");
  EXPECT_EQ(events[0]["rule"], "badarch");
}

TEST_F(RunLiveTest, TiocstiWithHighBitsIsDeniedWhenTiocstiIs) {
  REQUIRE_DENIAL_EVENTS();
  const Finished control = Run(std::string(kAllowAllBut), {ProbeBinary(), "tiocsti"});
  ASSERT_EQ(control.status, 0) << control.err;
  EXPECT_EQ(control.out, "ret=-1 errno=ENOTTY\n");  // stdin is /dev/null: the call really ran
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM ioctl if cmd == TIOCSTI\n",
                           {ProbeBinary(), "tiocsti"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=EPERM\n");
  const auto events = EventsFor(Events(), "ioctl");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["rule"], dir_.Path("policy.sfp") + ":3");
}

TEST_F(RunLiveTest, IoUringIsDeniedByAnAllowlist) {
  REQUIRE_DENIAL_EVENTS();
  const Finished run = Run("arch x86_64\ndefault errno EPERM\nallow @default @file-system @process @signal "
                           "@io-event @ipc @memory @resources @basic-io execve futex rseq set_robust_list "
                           "set_tid_address arch_prctl prlimit64 getrandom brk mmap munmap mprotect\n",
                           {ProbeBinary(), "io_uring"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=EPERM\n");
  ASSERT_EQ(EventsFor(Events(), "io_uring_setup").size(), 1u);
}

TEST_F(RunLiveTest, ThirtyTwoThreadsAreAllDeniedAndReported) {
  REQUIRE_DENIAL_EVENTS();
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM getppid\n",
                           {ProbeBinary(), "threads", "32", "getppid"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "denied=32 of 32\n");
  const auto events = EventsFor(Events(), "getppid");
  EXPECT_EQ(events.size(), 32u);
  std::set<int> pids;
  for (const auto& event : events) pids.insert(event["pid"].get<int>());
  EXPECT_EQ(pids.size(), 1u);  // one process, 32 threads
}

// The usual `errno ENOSYS clone3` rule makes glibc's pthread_create fall back to clone: by design,
// so no event, no alert, no violation; the summary counts it apart. Real denials in the same run
// stay events.
TEST_F(RunLiveTest, Clone3AnsweredEnosysIsAFallbackNotADenial) {
  REQUIRE_DENIAL_EVENTS();
  const std::string alerts = dir_.Path("alerts");
  const Finished run = Run(std::string(kAllowAllBut) + "errno ENOSYS clone3\nerrno EPERM getppid\n",
                           {ProbeBinary(), "threads", "4", "getppid"}, {"--alert-exec", "cat >> " + alerts});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "denied=4 of 4\n");  // the threads were created: clone3's ENOSYS fell back to clone
  const auto events = Events();
  EXPECT_TRUE(EventsFor(events, "clone3").empty()) << ReadFile(events_path());
  EXPECT_EQ(EventsFor(events, "getppid").size(), 4u) << ReadFile(events_path());
  EXPECT_EQ(run.err.find("clone3"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(alerts).find("clone3"), std::string::npos);
  const nlohmann::json& summary = events.back();
  ASSERT_EQ(summary["type"], "summary");
  EXPECT_EQ(summary["reported_calls"], 4);
  ASSERT_EQ(summary["fallbacks"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["fallbacks"][0]["syscall"], "clone3");
  EXPECT_GE(summary["fallbacks"][0]["count"].get<int>(), 1);  // glibc 2.34+ tries clone3 first
  for (const auto& line : summary["counts"]) EXPECT_NE(line["syscall"], "clone3");
}

// The call the program falls back to is judged like any other: clone denied is a denial. And
// clone3 answered otherwise than ENOSYS is one too.
TEST_F(RunLiveTest, WhatAFallbackLeadsToAndOtherAnswersToClone3AreDenials) {
  REQUIRE_DENIAL_EVENTS();
  Finished run = Run(std::string(kAllowAllBut) + "errno ENOSYS clone3\nerrno EPERM clone\n",
                     {ProbeBinary(), "threads", "1", "getppid"});
  EXPECT_NE(run.status, 0) << "no thread can be created: " << run.err;
  auto events = Events();
  EXPECT_TRUE(EventsFor(events, "clone3").empty()) << ReadFile(events_path());
  ASSERT_FALSE(EventsFor(events, "clone").empty()) << ReadFile(events_path());
  EXPECT_EQ(EventsFor(events, "clone")[0]["action"], "errno EPERM");
  std::filesystem::remove(events_path());
  run = Run(std::string(kAllowAllBut) + "errno EPERM clone3\n", {ProbeBinary(), "threads", "1", "getppid"});
  EXPECT_NE(run.status, 0) << "glibc does not fall back on EPERM: " << run.err;
  events = Events();
  const auto clone3 = EventsFor(events, "clone3");
  ASSERT_FALSE(clone3.empty()) << ReadFile(events_path());
  EXPECT_EQ(clone3[0]["outcome"], "denied");
  EXPECT_EQ(clone3[0]["action"], "errno EPERM");
  EXPECT_EQ(events.back()["fallbacks"], nlohmann::json::array());
}

TEST_F(RunLiveTest, AlertExecReceivesTheEvent) {
  REQUIRE_DENIAL_EVENTS();
  const std::string alert_file = dir_.Path("alert.json");
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM uname\n", {ProbeBinary(), "call", "uname"},
                           {"--alert-exec", "cat > " + alert_file});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto alert = nlohmann::json::parse(ReadFile(alert_file));
  EXPECT_EQ(alert["syscall"], "uname");
  EXPECT_EQ(alert["outcome"], "denied");
}

TEST_F(RunLiveTest, AlertsAreRateLimitedAndDropsCounted) {
  REQUIRE_DENIAL_EVENTS();
  const std::string alert_dir = dir_.Path("alerts");
  std::filesystem::create_directory(alert_dir);
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM getppid\n",
                           {ProbeBinary(), "loop", "200", "getppid"},
                           {"--alert-exec", "cat > " + alert_dir + "/$$.json", "--alert-rate", "1", "--alert-burst", "3"});
  ASSERT_EQ(run.status, 0) << run.err;
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(alert_dir)) ++files;
  EXPECT_GE(files, 1u);
  EXPECT_LE(files, 5u);
  const auto events = Events();
  ASSERT_FALSE(events.empty());
  // Alerts follow the events written: the first 100 calls of the shape; the bucket passes ~3 of them.
  EXPECT_GE(events.back()["alerts_dropped"].get<int>(), 90);
}

TEST_F(RunLiveTest, PolicyWithSyntaxErrorStartsNothing) {
  const std::string marker = dir_.Path("marker");
  const Finished run = Run("arch x86_64\ndefault allow\nallw uname\n", {"/usr/bin/touch", marker});
  EXPECT_EQ(run.status, 125);  // run's own failure (statuses below belong to the program)
  EXPECT_NE(run.err.find("policy.sfp:3:"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(RunLiveTest, EventsOnStandardOutputAreRefusedBecauseTheProgramSharesIt) {
  const std::string marker = dir_.Path("marker");
  const std::string policy = dir_.Write("p.sfp", kAllowAllBut);
  const Finished run =
      RunCommand({SysfenceBinary(), "run", "--policy", policy, "--events", "-", "--", "/usr/bin/touch", marker});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("--events -"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(RunLiveTest, BadIsolationOrEventLimitsStartNothing) {
  const std::string marker = dir_.Path("marker");
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
           {"--isolation", "off"}, {"--events-per-call", "0"}, {"--events-max-size", "0"}}) {
    const Finished run = Run(kAllowAllBut, {"/usr/bin/touch", marker}, extra);
    EXPECT_EQ(run.status, 125) << extra[0] << ": " << run.err;
    EXPECT_NE(run.err.find(extra[0]), std::string::npos) << run.err;
    EXPECT_FALSE(std::filesystem::exists(marker)) << extra[0];
  }
}

// An events file that cannot be written is found out before the program starts.
TEST_F(RunLiveTest, UnwritableEventsFileStartsNothing) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "needs /dev/full [feature: dev-full]";
  const std::string marker = dir_.Path("marker");
  const std::string policy = dir_.Write("p.sfp", kAllowAllBut);
  const Finished run = RunCommand(
      {SysfenceBinary(), "run", "--policy", policy, "--events", "/dev/full", "--", "/usr/bin/touch", marker});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("cannot write events to '/dev/full'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing was started"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// A program that retries a denied call in a loop: the first N events, then counts.
TEST_F(RunLiveTest, DenialLoopIsAggregatedAfterThePerCallLimit) {
  REQUIRE_DENIAL_EVENTS();
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM getppid\n",
                           {ProbeBinary(), "loop", "300", "getppid"}, {"--events-per-call", "10"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto events = Events();
  EXPECT_EQ(EventsFor(events, "getppid").size(), 10u);
  ASSERT_FALSE(events.empty());
  const auto& summary = events.back();
  ASSERT_EQ(summary["type"], "summary");
  // Every denial the kernel logged is counted (the audit stream may drop some in a burst: then it
  // says so in records_lost).
  const uint64_t counted = summary["counts"][0]["count"].get<uint64_t>();
  EXPECT_EQ(summary["events_aggregated"].get<uint64_t>(), counted - 10);
  if (summary["records_lost"] == 0) {
    EXPECT_EQ(counted, 300u);
  }
}

TEST_F(RunLiveTest, MissingProgramStartsNothing) {
  const Finished run = Run(std::string(kAllowAllBut), {"/nonexistent/program"});
  EXPECT_EQ(run.status, 127) << run.err;  // as a shell (and env, timeout) say "not found"
  EXPECT_NE(run.err.find("/nonexistent/program"), std::string::npos);
}

TEST_F(RunLiveTest, DeniedExecveStartsNothingAndSaysWhy) {
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM execve\n", {"/bin/true"});
  EXPECT_EQ(run.status, 126) << run.err;  // found, but it cannot be executed (here: under this policy)
  EXPECT_NE(run.err.find("execve"), std::string::npos) << run.err;
}

TEST_F(RunLiveTest, ExitStatusIsTheProgramsAndSignalsGive128Plus) {
  EXPECT_EQ(Run(std::string(kAllowAllBut), {ProbeBinary(), "exit", "42"}).status, 42);
  EXPECT_EQ(Run(std::string(kAllowAllBut), {"/bin/sh", "-c", "kill -TERM $$"}).status, 128 + SIGTERM);
}

// SIGINT, SIGTERM and SIGHUP sent to sysfence reach the program, which decides what they mean.
class RunSignalTest : public RunLiveTest, public ::testing::WithParamInterface<int> {};

TEST_P(RunSignalTest, SignalToSysfenceReachesTheProgram) {
  const int signal_number = GetParam();
  const std::string policy = dir_.Write("policy.sfp", std::string(kAllowAllBut) + "errno EPERM uname\n");
  const std::string out = dir_.Path("out");
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    execl(SysfenceBinary().c_str(), "sysfence", "run", "--policy", policy.c_str(), "--", ProbeBinary().c_str(),
          "sleep", "20", nullptr);
    _exit(127);
  }
  for (int i = 0; i < 500 && ReadFile(out).find("sleeping") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(ReadFile(out).find("sleeping"), std::string::npos);
  kill(pid, signal_number);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 100 + signal_number);  // sf_probe saw the signal and said so
  EXPECT_NE(ReadFile(out).find("got signal " + std::to_string(signal_number)), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(ForwardedSignals, RunSignalTest, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& param_info) { return std::string(sigabbrev_np(param_info.param)); });

// The kernel decides: with the supervisor gone, a denial keeps its errno (not ENOSYS) and a kill
// rule still kills.
TEST_F(RunLiveTest, SupervisorDeathChangesNoDecision) {
  const std::string policy =
      dir_.Write("policy.sfp", std::string(kAllowAllBut) + "errno EPERM uname\nkill personality\n");
  const std::string out = dir_.Path("out");
  const std::string killed = dir_.Path("killed");
  const std::string script = "sleep 1; " + ProbeBinary() + " call personality; echo $? > " + killed + "; " +
                             ProbeBinary() + " call uname > " + out;
  const pid_t pid = fork();
  if (pid == 0) {
    execl(SysfenceBinary().c_str(), "sysfence", "run", "--quiet", "--policy", policy.c_str(), "--", "/bin/sh", "-c",
          script.c_str(), nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGKILL);  // the supervisor dies; the program lives on under its filter
  waitpid(pid, nullptr, 0);
  for (int i = 0; i < 500 && ReadFile(out).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(ReadFile(out), "ret=-1 errno=EPERM\n");
  EXPECT_EQ(ReadFile(killed), std::to_string(128 + SIGSYS) + "\n");
}

TEST_F(RunLiveTest, TargetInAChildPidNamespaceIsSupervised) {
  REQUIRE_DENIAL_EVENTS();
  if (geteuid() != 0) GTEST_SKIP() << "needs root for unshare --pid [feature: root]";
  if (!std::filesystem::exists("/usr/bin/unshare")) GTEST_SKIP() << "needs util-linux unshare [feature: unshare]";
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM uname\n",
                           {"/usr/bin/unshare", "--pid", "--fork", ProbeBinary(), "call", "uname"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "ret=-1 errno=EPERM\n");
  const auto events = EventsFor(Events(), "uname");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_GT(events[0]["pid"].get<int>(), 1);  // its pid as the supervisor's namespace sees it
  EXPECT_EQ(events[0]["exe"], ProbeBinary());
}

// The Landlock ABI of this kernel, or 0 when it has none (or it is disabled).
int LandlockAbi() {
  constexpr unsigned kCreateRulesetVersion = 1U << 0;  // LANDLOCK_CREATE_RULESET_VERSION
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

constexpr const char* kLandlockReadOnlySystem =
    "fs read /usr /etc /lib /lib64 /proc /dev\n"
    "fs exec /usr /lib /lib64\n";

TEST_F(RunLiveTest, LandlockFsRulesAllowOneOpenAndDenyAnother) {
  if (LandlockAbi() == 0) GTEST_SKIP() << "this kernel has no Landlock [feature: landlock]";
  const std::string secret = dir_.Write("secret", "hidden\n");
  const std::string policy = std::string(kAllowAllBut) + kLandlockReadOnlySystem;
  for (const char* mode : {"best-effort", "require"}) {
    const Finished allowed = Run(policy, {"/bin/cat", "/etc/hostname"}, {"--landlock", mode});
    const Finished denied = Run(policy, {"/bin/cat", secret}, {"--landlock", mode});
    EXPECT_EQ(allowed.status, 0) << mode << ": " << allowed.err;
    EXPECT_FALSE(allowed.out.empty()) << mode;
    EXPECT_NE(denied.status, 0) << mode;
    EXPECT_NE(denied.err.find("Permission denied"), std::string::npos) << mode << ": " << denied.err;
    EXPECT_EQ(denied.out.find("hidden"), std::string::npos) << mode;
  }
}

TEST_F(RunLiveTest, LandlockNetRulesAllowOneBindAndDenyAnother) {
  if (LandlockAbi() < 4)
    GTEST_SKIP() << "TCP rules need Landlock ABI 4 [feature: landlock-abi-4] (this kernel: " << LandlockAbi() << ")";
  const std::string policy = std::string(kAllowAllBut) + kLandlockReadOnlySystem + "net bind tcp 38123\n";
  const std::string bind = "import socket,sys\ns=socket.socket()\ntry:\n s.bind(('127.0.0.1',int(sys.argv[1])))\n"
                           " print('bound')\nexcept OSError as e:\n print(e.errno)\n";
  const Finished allowed = Run(policy, {"/usr/bin/python3", "-c", bind, "38123"}, {"--landlock", "require"});
  const Finished denied = Run(policy, {"/usr/bin/python3", "-c", bind, "38124"}, {"--landlock", "require"});
  EXPECT_EQ(allowed.out, "bound\n") << allowed.err;
  EXPECT_EQ(denied.out, std::to_string(EACCES) + "\n") << denied.err;
}

TEST_F(RunLiveTest, RealProgramsRunUnderMonitor) {
  const Finished run = Run(std::string(kAllowAllBut) + "errno EPERM uname\n",
                           {"/usr/bin/python3", "-c", "import os; print(os.uname().sysname)"}, {"--monitor"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "Linux\n");
  EXPECT_EQ(EventsFor(Events(), "uname").size(), 1u);
}

}  // namespace
}  // namespace sysfence::live
