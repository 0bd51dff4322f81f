// SPDX-License-Identifier: Apache-2.0
// The walls between a confined program and sysfence (src/run/isolation.h), tried as an attacker
// would, as root and as an unprivileged user (nobody): every route that reaches an ordinary process
// of the same user (the control) must be blocked against the `sysfence run` that confines the
// program, and the policy must hold afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/live/live_util.h"
#include "tests/support/test_paths.h"

namespace sysfence::live {
namespace {

constexpr const char* kRoutes[] = {"mem", "vm", "getfd", "ptrace", "signal", "stop"};

// The Landlock ABI of this kernel, or 0.
int LandlockAbi() {
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U << 0);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

// Who runs the commands: root as is, or nobody through setpriv.
struct Identity {
  std::string name;
  std::vector<std::string> prefix;
};

std::vector<Identity> Identities() {
  std::vector<Identity> identities;
  if (geteuid() == 0) {
    identities.push_back({"root", {}});
    if (std::filesystem::exists("/usr/bin/setpriv")) {
      identities.push_back(
          {"nobody", {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"}});
    }
  } else {
    identities.push_back({"self", {}});
  }
  return identities;
}

// Waits (up to 10 s) until `pid` runs `program` (setpriv has exec'd it, credentials changed) and
// sleeps (its setup, such as making itself non-dumpable, is done).
void WaitUntilAsleepIn(pid_t pid, const std::string& program) {
  const std::string proc = "/proc/" + std::to_string(pid);
  for (int i = 0; i < 1000; ++i) {
    std::error_code error;
    const std::string exe = std::filesystem::read_symlink(proc + "/exe", error).string();
    std::string stat = ReadFile(proc + "/stat");
    const size_t close = stat.rfind(')');
    const char state = close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : '?';
    if (!error && exe.size() >= program.size() && exe.compare(exe.size() - program.size(), program.size(), program) == 0 &&
        state == 'S') {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "process " << pid << " never got to sleep in " << program;
}

class IsolationLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = LiveSkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    // Copies of the binaries nobody can run, and a directory nobody can write events into (the
    // build tree may be private).
    chmod(dir_.Path("").c_str(), 0777);
    for (const auto& [name, from] : {std::pair<std::string, std::string>{"sysfence", SysfenceBinary()},
                                     {"sf_attack", SF_ATTACK_PATH},
                                     {"sf_probe", ProbeBinary()}}) {
      std::filesystem::copy_file(from, dir_.Path(name), std::filesystem::copy_options::overwrite_existing);
      chmod(dir_.Path(name).c_str(), 0755);
    }
  }

  std::vector<std::string> With(const Identity& identity, std::vector<std::string> argv) const {
    std::vector<std::string> full = identity.prefix;
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
  }

  // `sysfence run` of sf_attack against its parent (the supervisor), with `routes` and extra args.
  Finished AttackSupervisor(const Identity& identity, const std::string& policy_text,
                            const std::vector<std::string>& tail) {
    const std::string policy = dir_.Write("policy.sfp", policy_text);
    chmod(policy.c_str(), 0644);
    std::vector<std::string> argv = {dir_.Path("sysfence"), "run", "--policy", policy, "--events",
                                     dir_.Path("events-" + identity.name + ".jsonl"), "--",
                                     dir_.Path("sf_attack"), "parent"};
    argv.insert(argv.end(), tail.begin(), tail.end());
    return RunCommand(With(identity, argv));
  }

  TempDir dir_;
};

// The attacks work against an ordinary process of the same user: without a wall, they would work
// against sysfence too. (This is what makes the test below able to fail.)
TEST_F(IsolationLiveTest, ControlRoutesReachAnOrdinaryProcessOfTheSameUser) {
  for (const Identity& identity : Identities()) {
    std::vector<std::string> victim_argv = With(identity, {dir_.Path("sf_probe"), "sleep", "30"});
    std::vector<char*> args;
    for (std::string& arg : victim_argv) args.push_back(arg.data());
    args.push_back(nullptr);
    const pid_t victim = fork();
    if (victim == 0) {
      execv(args[0], args.data());
      _exit(127);
    }
    WaitUntilAsleepIn(victim, "/sf_probe");
    std::vector<std::string> attack = {dir_.Path("sf_attack"), std::to_string(victim)};
    attack.insert(attack.end(), std::begin(kRoutes), std::end(kRoutes));
    const Finished run = RunCommand(With(identity, attack));
    kill(victim, SIGKILL);
    waitpid(victim, nullptr, 0);
    ASSERT_EQ(run.status, 0) << identity.name << ": " << run.err;
    for (const char* route : kRoutes) {
      EXPECT_NE(run.out.find(std::string(route) + " reachable"), std::string::npos)
          << identity.name << " " << route << ":\n" << run.out;
    }
  }
}

// Root's CAP_SYS_PTRACE overrides non-dumpability: the Landlock wall, not PR_SET_DUMPABLE, is what
// keeps a root program away from sysfence.
TEST_F(IsolationLiveTest, ControlRootReachesANonDumpableProcess) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root [feature: root]";
  const pid_t victim = fork();
  if (victim == 0) {
    execl(dir_.Path("sf_attack").c_str(), "sf_attack", "nondumpable-sleep", "30", nullptr);
    _exit(127);
  }
  WaitUntilAsleepIn(victim, "/sf_attack");
  const Finished run = RunCommand({dir_.Path("sf_attack"), std::to_string(victim), "mem", "getfd", "ptrace"});
  kill(victim, SIGKILL);
  waitpid(victim, nullptr, 0);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("mem reachable"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("getfd reachable"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ptrace reachable"), std::string::npos) << run.out;
}

TEST_F(IsolationLiveTest, EveryRouteToTheSupervisorIsBlockedAndThePolicyHolds) {
  if (LandlockAbi() < 6)
    GTEST_SKIP() << "the walls need Landlock ABI 6 [feature: landlock-abi-6] (this kernel: " << LandlockAbi() << ")";
  for (const Identity& identity : Identities()) {
    // A `log` rule makes sysfence hold a notification listener: the worst case to defend.
    std::vector<std::string> tail(std::begin(kRoutes), std::end(kRoutes));
    tail.insert(tail.end(), {"listener", "fds", "then-call", "uname", "then-call", "getppid"});
    const Finished run = AttackSupervisor(
        identity, "arch x86_64\ndefault allow\nerrno EACCES uname\nlog getppid\n", tail);
    ASSERT_EQ(run.status, 0) << identity.name << ": " << run.err;
    for (const char* route : kRoutes) {
      EXPECT_NE(run.out.find(std::string(route) + " blocked"), std::string::npos)
          << identity.name << " " << route << ":\n" << run.out;
    }
    EXPECT_NE(run.out.find("listener blocked"), std::string::npos) << identity.name << ":\n" << run.out;
    EXPECT_NE(run.out.find("fds blocked"), std::string::npos) << identity.name << ":\n" << run.out;
    EXPECT_NE(run.out.find("ret=-1 errno=EACCES"), std::string::npos) << identity.name << ":\n" << run.out;
    // The log rule's notification was answered (getppid ran and returned the supervisor's pid): the
    // supervisor was neither stopped nor subverted.
    EXPECT_TRUE(std::regex_search(run.out, std::regex("\nret=[1-9][0-9]* errno=0\n$"))) << identity.name << ":\n"
                                                                                           << run.out;
  }
}

TEST_F(IsolationLiveTest, KillRuleHoldsAfterEveryAttack) {
  if (LandlockAbi() < 6)
    GTEST_SKIP() << "the walls need Landlock ABI 6 [feature: landlock-abi-6] (this kernel: " << LandlockAbi() << ")";
  for (const Identity& identity : Identities()) {
    std::vector<std::string> tail(std::begin(kRoutes), std::end(kRoutes));
    tail.insert(tail.end(), {"then-call", "uname"});
    const Finished run = AttackSupervisor(identity, "arch x86_64\ndefault allow\nkill uname\n", tail);
    EXPECT_EQ(run.status, 128 + SIGSYS) << identity.name << ": " << run.out << run.err;
    EXPECT_EQ(run.out.find("ret="), std::string::npos) << identity.name << ": " << run.out;
  }
}

// The reported attack, under Docker's default profile: after every route to the supervisor,
// `unshare` and `sethostname` (which the profile denies without CAP_SYS_ADMIN) are still denied.
TEST_F(IsolationLiveTest, DockerDefaultProfileHoldsAfterEveryAttack) {
  if (LandlockAbi() < 6) GTEST_SKIP() << "the walls need Landlock ABI 6 (this kernel: " << LandlockAbi() << ")";
  // A copy nobody can read (the source tree may be private).
  const std::string moby = dir_.Path("moby-default.json");
  std::filesystem::copy_file(test_paths::SourceDir() + "/tests/data/moby-default.json", moby,
                             std::filesystem::copy_options::overwrite_existing);
  chmod(moby.c_str(), 0644);
  for (const Identity& identity : Identities()) {
    std::vector<std::string> argv = {dir_.Path("sysfence"), "run", "--quiet", "--policy", moby, "--",
                                     dir_.Path("sf_attack"), "parent"};
    argv.insert(argv.end(), std::begin(kRoutes), std::end(kRoutes));
    argv.insert(argv.end(), {"then-call", "unshare", "then-call", "sethostname"});
    const Finished run = RunCommand(With(identity, argv));
    ASSERT_EQ(run.status, 0) << identity.name << ": " << run.err;
    for (const char* route : kRoutes) {
      EXPECT_NE(run.out.find(std::string(route) + " blocked"), std::string::npos)
          << identity.name << " " << route << ":\n" << run.out;
    }
    // Both calls denied (EPERM from the profile), never run.
    EXPECT_NE(run.out.find("ret=-1 errno=EPERM\nret=-1 errno=EPERM\n"), std::string::npos)
        << identity.name << ":\n" << run.out;
  }
}

}  // namespace
}  // namespace sysfence::live
