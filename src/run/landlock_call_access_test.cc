// SPDX-License-Identifier: Apache-2.0
// Monitor mode's user-space Landlock judge against the kernel's Landlock: for each call, the judge
// names what the rules would deny (reading this test's own memory and /proc entries, as the
// supervisor reads a notified thread's), then a forked child restricted by the same rules makes the
// very same raw syscall; the judge must report a miss exactly when the kernel refuses (EACCES, or
// EXDEV for a rename across directories without refer), and each case also states its expected
// verdict so that agreement on a wrong answer fails too.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "os/landlock.h"
#include "os/landlock_uapi.h"
#include "run/landlock_call_access.h"
#include "policy/fs_access.h"
#include "run/landlock_grants.h"
#include "run/landlock_judge.h"

namespace sysfence::run {
namespace {

namespace uapi = os::landlock_uapi;

// One call: its name, its raw arguments (pointers into this process) and the verdict expected.
struct Case {
  std::string label;
  std::string name;
  long nr;
  uint64_t args[6];
  bool denied;
};

class LandlockCallAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    abi_ = os::ProbeLandlockAbi(&reason);
    if (abi_ < 5) GTEST_SKIP() << "the judge is compared with Landlock ABI 5+ [feature: landlock-abi-5]: " << reason;
    char pattern[] = "/tmp/sf-judge-XXXXXX";
    root_ = mkdtemp(pattern);
    for (const char* dir : {"ro", "rw", "rw/a", "rw/b", "out", "ro/sub"}) mkdir(Path(dir).c_str(), 0755);
    for (const char* file : {"ro/file", "rw/file", "rw/a/x", "rw/gone", "out/file", "rw/moved"}) {
      std::ofstream(Path(file)) << "data\n";
    }
  }
  void TearDown() override {
    std::error_code ignored;
    if (!root_.empty()) std::filesystem::remove_all(root_, ignored);
  }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }

  // The grants of: fs read ROOT/ro; fs read,write ROOT/rw; exec of /usr (programs and loader); and
  // with `net`, TCP connect to 5432 and bind to 8080. rw may not execute.
  os::LandlockGrants Grants(bool net) const {
    policy::FsRule ro{policy::kFsReadFile | policy::kFsReadDir, {Path("ro")}, {}, {}};
    policy::FsRule rw{policy::kFsAllAccess & ~(policy::kFsMakeChar | policy::kFsMakeBlock | policy::kFsIoctlDev | policy::kFsExecute),
                      {Path("rw")}, {}, {}};
    policy::FsRule usr{policy::kFsReadFile | policy::kFsReadDir | policy::kFsExecute, {"/usr"}, {}, {}};
    std::vector<policy::NetRule> ports;
    if (net) {
      policy::NetRule connect;
      connect.kind = policy::NetRule::Kind::kConnect;
      connect.port = 5432;
      policy::NetRule bind;
      bind.kind = policy::NetRule::Kind::kBind;
      bind.port = 8080;
      ports = {connect, bind};
    }
    return LandlockGrantsOf(std::vector<policy::FsRule>{ro, rw, usr}, ports);
  }

  // The judge's verdict, then the kernel's on the same raw call; both must match the case.
  void Check(const Case& c, bool net = false) {
    SCOPED_TRACE(c.label);
    const os::LandlockGrants grants = Grants(net);
    Result<os::LandlockPlan> plan = os::PlanLandlock(grants, abi_, os::LandlockMode::kBestEffort);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    Result<LandlockJudge> judge = LandlockJudge::FromPlan(*plan);
    ASSERT_TRUE(judge.ok()) << judge.error().message;
    const std::vector<LandlockMiss> misses =
        LandlockMissesOfCall(*judge, c.name, c.args, static_cast<int>(gettid()), getpid());
    EXPECT_EQ(!misses.empty(), c.denied) << (misses.empty() ? "" : LandlockSuggestion(misses[0]));

    fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      if (!os::ApplyLandlock(grants, os::LandlockMode::kBestEffort).ok()) _exit(100);
      const long ret = syscall(c.nr, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
      _exit(ret >= 0 ? 0 : errno == EACCES || errno == EXDEV ? 1 : 2);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_NE(WEXITSTATUS(status), 100) << "Landlock could not be applied";
    EXPECT_EQ(WEXITSTATUS(status) == 1, c.denied) << "the kernel's verdict (exit " << WEXITSTATUS(status) << ")";
  }

  uint64_t Str(const std::string& text) {
    strings_.push_back(text);
    return reinterpret_cast<uint64_t>(strings_.back().c_str());
  }

  int abi_ = 0;
  std::string root_;
  std::deque<std::string> strings_;  ///< the calls' strings (a deque never moves its elements)
};

constexpr uint64_t kCwd = static_cast<uint64_t>(AT_FDCWD);

TEST_F(LandlockCallAccessTest, OpenAgreesWithTheKernel) {
  Check({"read beneath ro", "openat", SYS_openat, {kCwd, Str(Path("ro/file")), O_RDONLY}, false});
  Check({"write beneath ro", "openat", SYS_openat, {kCwd, Str(Path("ro/file")), O_WRONLY}, true});
  Check({"O_TRUNC beneath ro", "openat", SYS_openat, {kCwd, Str(Path("ro/file")), O_RDONLY | O_TRUNC}, true});
  Check({"create beneath ro", "openat", SYS_openat, {kCwd, Str(Path("ro/new")), O_CREAT | O_WRONLY, 0644}, true});
  Check({"create beneath rw", "openat", SYS_openat, {kCwd, Str(Path("rw/new")), O_CREAT | O_WRONLY, 0644}, false});
  Check({"read outside", "openat", SYS_openat, {kCwd, Str(Path("out/file")), O_RDONLY}, true});
  Check({"list ro", "openat", SYS_openat, {kCwd, Str(Path("ro")), O_RDONLY | O_DIRECTORY}, false});
  Check({"list outside", "openat", SYS_openat, {kCwd, Str(Path("out")), O_RDONLY | O_DIRECTORY}, true});
  Check({"O_PATH outside", "openat", SYS_openat, {kCwd, Str(Path("out/file")), O_PATH}, false});
  Check({"missing file", "openat", SYS_openat, {kCwd, Str(Path("out/none")), O_RDONLY}, false});
  Check({"open() read outside", "open", SYS_open, {Str(Path("out/file")), O_RDONLY}, true});
  Check({"creat() beneath ro", "creat", SYS_creat, {Str(Path("ro/c")), 0644}, true});
}

TEST_F(LandlockCallAccessTest, PathsAreResolvedAsTheCallerSeesThem) {
  // A symlink beneath rw pointing outside: the object is outside.
  ASSERT_EQ(symlink(Path("out/file").c_str(), Path("rw/link").c_str()), 0);
  Check({"through a symlink", "openat", SYS_openat, {kCwd, Str(Path("rw/link")), O_RDONLY}, true});
  // ".." out of ro.
  Check({"dot-dot", "openat", SYS_openat, {kCwd, Str(Path("ro/sub/../../out/file")), O_RDONLY}, true});
  // Relative to a directory descriptor of this process.
  const int out_dir = open(Path("out").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(out_dir, 0);
  Check({"relative to a dirfd", "openat", SYS_openat, {static_cast<uint64_t>(out_dir), Str("file"), O_RDONLY}, true});
  const int ro_dir = open(Path("ro").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  Check({"relative to a ro dirfd", "openat", SYS_openat, {static_cast<uint64_t>(ro_dir), Str("file"), O_RDONLY},
         false});
  close(out_dir);
  close(ro_dir);
}

TEST_F(LandlockCallAccessTest, CreateRemoveRenameLinkAgreeWithTheKernel) {
  Check({"mkdir beneath ro", "mkdirat", SYS_mkdirat, {kCwd, Str(Path("ro/d")), 0755}, true});
  Check({"mkdir beneath rw", "mkdirat", SYS_mkdirat, {kCwd, Str(Path("rw/d")), 0755}, false});
  Check({"mkdir()", "mkdir", SYS_mkdir, {Str(Path("out/d")), 0755}, true});
  Check({"fifo beneath ro", "mknodat", SYS_mknodat, {kCwd, Str(Path("ro/p")), S_IFIFO | 0644, 0}, true});
  Check({"unlink beneath ro", "unlinkat", SYS_unlinkat, {kCwd, Str(Path("ro/file")), 0}, true});
  Check({"unlink beneath rw", "unlinkat", SYS_unlinkat, {kCwd, Str(Path("rw/gone")), 0}, false});
  Check({"rmdir beneath ro", "unlinkat", SYS_unlinkat, {kCwd, Str(Path("ro/sub")), AT_REMOVEDIR}, true});
  Check({"symlink beneath ro", "symlinkat", SYS_symlinkat, {Str("/etc"), kCwd, Str(Path("ro/s"))}, true});
  Check({"symlink beneath rw", "symlinkat", SYS_symlinkat, {Str("/etc"), kCwd, Str(Path("rw/s"))}, false});
  Check({"rename rw to ro", "renameat", SYS_renameat, {kCwd, Str(Path("rw/file")), kCwd, Str(Path("ro/f2"))}, true});
  Check({"rename across rw dirs", "renameat2", SYS_renameat2,
         {kCwd, Str(Path("rw/a/x")), kCwd, Str(Path("rw/b/x")), 0}, false});
  Check({"rename out of ro", "rename", SYS_rename, {Str(Path("ro/file")), Str(Path("rw/f3"))}, true});
  Check({"link rw into ro", "linkat", SYS_linkat, {kCwd, Str(Path("rw/moved")), kCwd, Str(Path("ro/l")), 0}, true});
  Check({"truncate beneath ro", "truncate", SYS_truncate, {Str(Path("ro/file")), 0}, true});
  Check({"truncate beneath rw", "truncate", SYS_truncate, {Str(Path("rw/moved")), 0}, false});
}

TEST_F(LandlockCallAccessTest, ExecNeedsTheProgramAndItsLoader) {
  // /usr grants read and execute: /usr/bin/true and its loader (in /usr/lib) may run.
  const uint64_t argv[] = {Str("/usr/bin/true"), 0};
  Check({"exec beneath /usr", "execve", SYS_execve, {Str("/usr/bin/true"), reinterpret_cast<uint64_t>(argv), 0},
         false});
  // A copy outside: no execute right there.
  std::filesystem::copy_file("/usr/bin/true", Path("rw/true"));
  chmod(Path("rw/true").c_str(), 0755);
  const uint64_t argv2[] = {Str(Path("rw/true")), 0};
  Check({"exec beneath rw", "execve", SYS_execve, {Str(Path("rw/true")), reinterpret_cast<uint64_t>(argv2), 0}, true});
  // A script beneath rw whose interpreter is fine still needs execute on the script.
  std::ofstream(Path("ro/script")) << "#!/usr/bin/true\n";
  chmod(Path("ro/script").c_str(), 0755);
  const uint64_t argv3[] = {Str(Path("ro/script")), 0};
  Check({"script beneath ro", "execve", SYS_execve, {Str(Path("ro/script")), reinterpret_cast<uint64_t>(argv3), 0},
        true});
}

TEST_F(LandlockCallAccessTest, TcpPortsAgreeWithTheKernel) {
  const int tcp = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(tcp, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(9);
  const auto addr = reinterpret_cast<uint64_t>(&to);
  Check({"connect to 9", "connect", SYS_connect, {static_cast<uint64_t>(tcp), addr, sizeof(to)}, true}, true);
  sockaddr_in bind_to = to;
  bind_to.sin_port = htons(8080);
  Check({"bind 8080", "bind", SYS_bind,
         {static_cast<uint64_t>(tcp), reinterpret_cast<uint64_t>(&bind_to), sizeof(bind_to)}, false},
        true);
  bind_to.sin_port = htons(8081);
  Check({"bind 8081", "bind", SYS_bind,
         {static_cast<uint64_t>(tcp), reinterpret_cast<uint64_t>(&bind_to), sizeof(bind_to)}, true},
        true);
  close(tcp);
  // UDP is not Landlock's: nothing to report.
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  Check({"udp connect", "connect", SYS_connect, {static_cast<uint64_t>(udp), addr, sizeof(to)}, false}, true);
  close(udp);
}

TEST(LandlockJudgeTest, SuggestionsAndBlockersSpellTheRightsAsPolicyAndKernelDo) {
  EXPECT_EQ(LandlockSuggestion({uapi::kFsReadFile, 0, "/etc/shadow", -1}), "fs read-file /etc/shadow");
  EXPECT_EQ(LandlockSuggestion({uapi::kFsReadFile | uapi::kFsReadDir, 0, "/srv", -1}), "fs read /srv");
  EXPECT_EQ(LandlockSuggestion({uapi::kFsMakeReg | uapi::kFsWriteFile, 0, "/srv", -1}),
            "fs write-file make-reg /srv");
  // A path the policy lexer would split is quoted, as the policy printer writes it.
  EXPECT_EQ(LandlockSuggestion({uapi::kFsReadFile, 0, "/srv/my data#1", -1}), "fs read-file \"/srv/my data#1\"");
  EXPECT_EQ(LandlockSuggestion({0, uapi::kNetBindTcp, "", 8080}), "net bind tcp 8080");
  EXPECT_EQ(LandlockSuggestion({0, uapi::kNetConnectTcp, "", 5432}), "net connect tcp 5432");
  EXPECT_EQ(LandlockBlockers({uapi::kFsMakeReg | uapi::kFsTruncate, 0, "/x", -1}),
            (std::vector<std::string>{"fs.make_reg", "fs.truncate"}));
  EXPECT_EQ(LandlockBlockers({0, uapi::kNetBindTcp, "", 1}), (std::vector<std::string>{"net.bind_tcp"}));
  // And back, from an audit record's blockers (scopes are no rights: left out).
  const LandlockMiss miss = LandlockMissFromBlockers({"fs.write_file", "fs.truncate", "scope.signal"}, "/x", -1);
  EXPECT_EQ(miss.fs_missing, uapi::kFsWriteFile | uapi::kFsTruncate);
  EXPECT_EQ(miss.path, "/x");
  EXPECT_EQ(LandlockMissFromBlockers({"net.connect_tcp"}, "", 443).port, 443);
  EXPECT_EQ(LandlockMissFromBlockers({"scope.signal"}, "", -1), LandlockMiss{});
}

TEST(LandlockJudgeTest, ARulePathThatIsGoneIsBadInputNamingTheRule) {
  os::LandlockPlan plan;
  plan.handled_fs = uapi::kFsReadFile;
  plan.path_rules.push_back({"/nonexistent/sf-judge", uapi::kFsReadFile, SourceSpan{"p.sfp", 3, 1, 0, ""}});
  Result<LandlockJudge> judge = LandlockJudge::FromPlan(plan);
  ASSERT_FALSE(judge.ok());
  EXPECT_EQ(judge.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(judge.error().message.find("p.sfp:3:1: cannot open '/nonexistent/sf-judge'"), std::string::npos)
      << judge.error().message;
}

}  // namespace
}  // namespace sysfence::run
