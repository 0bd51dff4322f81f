// SPDX-License-Identifier: Apache-2.0
// A policy's `caps keep`, `unshare` and `rlimit` lines under `sysfence run`, checked with Debian's
// own tools: capsh and getpcaps (libcap2-bin) read the capability sets, ping (iputils-ping) needs
// CAP_NET_RAW, /proc/net/dev lists the network namespace's interfaces, sh's ulimit and paste(1)
// meet the limits; setpriv runs sysfence as an unprivileged user. Every refusal is sysfence's own
// failure status (125, docs/run.md; 126 when execve itself is refused) with the step named, and
// nothing started.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/live/live_util.h"

namespace sysfence::live {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAllowAll = "arch x86_64\ndefault allow\n";

class PrivilegesLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = LiveSkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    if (geteuid() != 0) {
      GTEST_SKIP() << "capabilities to drop, and setpriv to become another user, need root [feature: root]";
    }
    // The unprivileged runs read the policy and write their marker here.
    fs::permissions(dir_.Path(""), fs::perms::all | fs::perms::sticky_bit);
  }

  // `sysfence run --policy POLICY -- command...`, as root, or as nobody through setpriv.
  Finished Run(const std::string& policy_lines, const std::vector<std::string>& command, bool as_nobody = false,
               const std::vector<std::string>& extra = {}) {
    const std::string policy = dir_.Write("policy.sfp", std::string(kAllowAll) + policy_lines);
    fs::permissions(policy, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                fs::perms::others_read);
    std::vector<std::string> argv;
    if (as_nobody) argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
    argv.insert(argv.end(), {SysfenceBinary(), "run", "--policy", policy});
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return RunCommand(argv);
  }

  // A command that leaves a file behind when it runs at all.
  std::vector<std::string> Marker() const { return {"/usr/bin/touch", dir_.Path("started")}; }
  bool Started() const { return fs::exists(dir_.Path("started")); }

  TempDir dir_;
};

// --- Capabilities -------------------------------------------------------------------------------

TEST_F(PrivilegesLiveTest, CapsKeepNoneEmptiesEverySetAsCapshReadsThem) {
  const Finished run = Run("caps keep none\n", {"/usr/sbin/capsh", "--print"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("Current: =\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Bounding set =\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Ambient set =\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("no-new-privs=1"), std::string::npos) << run.out;
  // Without the line, root keeps its capabilities: the test above is the line's doing.
  const Finished plain = Run("", {"/usr/sbin/capsh", "--print"});
  EXPECT_NE(plain.out.find("Bounding set =cap_chown"), std::string::npos) << plain.out;
}

TEST_F(PrivilegesLiveTest, CapsKeepLeavesExactlyTheKeptCapabilityAsGetpcapsReadsIt) {
  const Finished run = Run("caps keep CAP_NET_RAW CAP_NET_BIND_SERVICE\n", {"/usr/sbin/getpcaps", "0"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out + run.err, "0: cap_net_bind_service,cap_net_raw=eip\n");
}

TEST_F(PrivilegesLiveTest, PingFailsOnceCapNetRawIsDropped) {
  // A copy of ping without its file capability: what it can do is what the caps line leaves it.
  // In the new network namespace ping_group_range is the kernel's default ("1 0": no ICMP datagram
  // sockets for anyone), so ping needs a raw socket, which needs CAP_NET_RAW.
  const std::string ping = dir_.Path("ping");
  fs::copy_file("/usr/bin/ping", ping);
  fs::permissions(ping, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const std::vector<std::string> command = {ping, "-c1", "-n", "-W1", "127.0.0.1"};
  const Finished kept = Run("unshare net\ncaps keep CAP_NET_RAW\n", command);
  EXPECT_EQ(kept.status, 0) << kept.out << kept.err;
  EXPECT_NE(kept.out.find("1 received"), std::string::npos) << kept.out;
  const Finished dropped = Run("unshare net\ncaps keep none\n", command);
  EXPECT_NE(dropped.status, 0) << dropped.out;
  EXPECT_LT(dropped.status, 125) << "the program must start and fail itself: " << dropped.err;
  EXPECT_NE(dropped.err.find("ping: socket: Operation not permitted"), std::string::npos) << dropped.err;
}

TEST_F(PrivilegesLiveTest, FileCapabilitiesTheCapsLineDropsAreRefusedAtExecve) {
  // Debian's ping has cap_net_raw=ep: the kernel will not start it without that capability.
  const Finished run = Run("caps keep none\n", {"/usr/bin/ping", "-c1", "-n", "127.0.0.1"});
  EXPECT_EQ(run.status, 126) << run.out << run.err;
  EXPECT_NE(run.err.find("step 'execve' failed: Operation not permitted"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("file capabilities"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

// --- Namespaces ---------------------------------------------------------------------------------

// The interface names of /proc/net/dev's text.
std::vector<std::string> Interfaces(const std::string& dev) {
  std::vector<std::string> names;
  std::istringstream lines(dev);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos || line.find('|') != std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    names.push_back(name);
  }
  return names;
}

TEST_F(PrivilegesLiveTest, UnshareNetLeavesOnlyLoopback) {
  const Finished host = Run("", {"/bin/cat", "/proc/net/dev"});
  ASSERT_EQ(host.status, 0) << host.err;
  EXPECT_GT(Interfaces(host.out).size(), 1u) << "the host has more than loopback: " << host.out;
  const Finished run = Run("unshare net\n", {"/bin/cat", "/proc/net/dev"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(Interfaces(run.out), std::vector<std::string>{"lo"}) << run.out;
  // Loopback is up: a local TCP connection works.
  const Finished up = Run("unshare net\n", {"/bin/cat", "/sys/class/net/lo/operstate", "/sys/class/net/lo/flags"});
  EXPECT_NE(up.out.find("0x9"), std::string::npos) << up.out;  // IFF_UP | IFF_LOOPBACK
}

TEST_F(PrivilegesLiveTest, UserNamespaceAsNonRootMapsTheUserAndStartsPidOne) {
  const Finished run = Run("unshare user net pid ipc uts mount cgroup\ncaps keep none\n",
                           {"/bin/sh", "-c", "id -u; id -g; echo $$; cat /proc/net/dev"}, true);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find("Inter-")), "65534\n65534\n1\n");
  EXPECT_EQ(Interfaces(run.out), std::vector<std::string>{"lo"}) << run.out;
}

// The mountinfo lines of the proc mounts on /proc in this process's mount namespace.
std::vector<std::string> ProcMounts() {
  std::istringstream lines(ReadFile("/proc/self/mountinfo"));
  std::vector<std::string> mounts;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(" /proc ") != std::string::npos && line.find(" - proc ") != std::string::npos) mounts.push_back(line);
  }
  return mounts;
}

// `ps -e -o pid=,comm=` output as "PID COMM" lines, spaces trimmed.
std::vector<std::string> PsLines(const std::string& out) {
  std::vector<std::string> rows;
  std::istringstream lines(out);
  std::string pid, comm;
  while (lines >> pid >> comm) rows.push_back(pid + " " + comm);
  return rows;
}

TEST_F(PrivilegesLiveTest, UnsharePidMountGivesTheProgramAProcOfItsOwn) {
  const std::vector<std::string> host_proc = ProcMounts();
  ASSERT_FALSE(host_proc.empty());
  // Debian's ps (procps) reads /proc: without the line it lists the host's processes.
  const std::vector<std::string> ps = {"/bin/sh", "-c", "sleep 30 & exec /bin/ps -e -o pid=,comm="};
  const Finished host = Run("", ps);
  ASSERT_EQ(host.status, 0) << host.err;
  EXPECT_GT(PsLines(host.out).size(), 3u) << host.out;
  // With it: the program is PID 1 and sees only its own processes (sh became ps by exec; sleep is 2).
  const Finished run = Run("unshare pid mount\n", ps);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(PsLines(run.out), (std::vector<std::string>{"1 ps", "2 sleep"})) << run.out;
  const Finished self = Run("unshare pid mount\n", {"/bin/sh", "-c", "exec readlink /proc/self"});
  EXPECT_EQ(self.out, "1\n") << self.err;
  const Finished listing = Run("unshare pid mount\n", {"/bin/sh", "-c", "exec ls /proc"});
  std::istringstream entries(listing.out);
  std::vector<std::string> pids;
  for (std::string entry; entries >> entry;) {
    if (entry.find_first_not_of("0123456789") == std::string::npos) pids.push_back(entry);
  }
  EXPECT_EQ(pids, std::vector<std::string>{"1"}) << listing.out;
  // The host's /proc is the same mount as before, and still shows this process.
  EXPECT_EQ(ProcMounts(), host_proc);
  EXPECT_EQ(fs::read_symlink("/proc/self").string(), std::to_string(getpid()));
  // Unprivileged, through a user namespace: the same.
  const Finished nobody = Run("unshare user pid mount\n", ps, true);
  ASSERT_EQ(nobody.status, 0) << nobody.err;
  EXPECT_EQ(PsLines(nobody.out), (std::vector<std::string>{"1 ps", "2 sleep"})) << nobody.out;
}

TEST_F(PrivilegesLiveTest, UnsharePidWithoutMountIsRefusedAtItsToken) {
  const Finished run = Run("unshare net pid\n", Marker());
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("policy.sfp:3:13: error: 'unshare pid' needs 'mount' beside it"), std::string::npos)
      << run.err;
  EXPECT_FALSE(Started());
  const Finished check = RunCommand({SysfenceBinary(), "check", dir_.Path("policy.sfp")});
  EXPECT_EQ(check.status, 2) << check.err;
  EXPECT_NE(check.err.find("policy.sfp:3:13: error: 'unshare pid' needs 'mount'"), std::string::npos) << check.err;
}

// --- Resource limits ----------------------------------------------------------------------------

TEST_F(PrivilegesLiveTest, RlimitNofileIsWhatShAndPasteMeet) {
  const Finished limits = Run("rlimit NOFILE 16 32\n", {"/bin/sh", "-c", "ulimit -n; ulimit -Hn"});
  ASSERT_EQ(limits.status, 0) << limits.err;
  EXPECT_EQ(limits.out, "16\n32\n");
  // paste holds all its files open at once: 20 files do not fit in 16 descriptors.
  std::vector<std::string> paste = {"/usr/bin/paste"};
  for (int i = 0; i < 20; ++i) paste.push_back("/dev/null");
  EXPECT_EQ(Run("", paste).status, 0);
  const Finished limited = Run("rlimit NOFILE 16\n", paste);
  EXPECT_NE(limited.status, 0);
  EXPECT_NE(limited.err.find("Too many open files"), std::string::npos) << limited.err;
}

TEST_F(PrivilegesLiveTest, RlimitSizesReachTheKernel) {
  const Finished run = Run("rlimit AS 512M unlimited\nrlimit CORE 0\n", {"/bin/sh", "-c", "ulimit -v; ulimit -Hv; ulimit -c"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "524288\nunlimited\n0\n");
}

// --- Refusals: exit 125, the step named, nothing started ------------------------------------------

TEST_F(PrivilegesLiveTest, CapsWithoutRootIsRefused) {
  const Finished run = Run("caps keep none\n", Marker(), true);
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("step 'capabilities (libcap)' failed: cannot drop CAP_CHOWN from the bounding set"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(Started());
  const Finished keep = Run("caps keep CAP_NET_RAW\n", Marker(), true);
  EXPECT_EQ(keep.status, 125);
  EXPECT_NE(keep.err.find("cannot keep CAP_NET_RAW: this process does not hold it"), std::string::npos) << keep.err;
  EXPECT_FALSE(Started());
}

TEST_F(PrivilegesLiveTest, NamespacesWithoutRootOrUserAreRefused) {
  const Finished run = Run("unshare net\n", Marker(), true);
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("step 'namespaces (CLONE_NEWNET)' failed: Operation not permitted (new namespaces need "
                         "CAP_SYS_ADMIN"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(Started());
}

TEST_F(PrivilegesLiveTest, RaisingAHardLimitWithoutRootIsRefused) {
  const Finished run = Run("rlimit NOFILE 16 unlimited\n", Marker(), true);
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("step 'rlimits (prlimit)' failed: cannot set rlimit NOFILE: Operation not permitted "
                         "(raising the hard limit above"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(Started());
}

TEST_F(PrivilegesLiveTest, UserNamespacesDisabledBySysctlAreRefused) {
  // user.max_user_namespaces=0, set in a user namespace of the test's own (the host's setting is
  // not touched; a namespace's owner may lower the limits of its namespace).
  const std::string policy = dir_.Write("userns.sfp", std::string(kAllowAll) + "unshare user net\n");
  const std::string script = "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"";
  const Finished run = RunCommand({"/usr/bin/unshare", "--user", "--map-root-user", "/bin/sh", "-c", script, "sh",
                                   SysfenceBinary(), "run", "--policy", policy, "--", Marker()[0], Marker()[1]});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_NE(run.err.find("step 'namespaces (CLONE_NEWUSER|CLONE_NEWNET)' failed: No space left on device"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("user.max_user_namespaces=0 disables user namespaces"), std::string::npos) << run.err;
  EXPECT_FALSE(Started());
}

// --- Monitor mode -------------------------------------------------------------------------------

TEST_F(PrivilegesLiveTest, MonitorReportsTheRawSocketACapsLineWouldBreak) {
  const std::string ping = dir_.Path("ping");
  fs::copy_file("/usr/bin/ping", ping);
  fs::permissions(ping, fs::perms::owner_all);
  const Finished run = Run("errno EPERM socket\ncaps keep none\nrlimit NOFILE 64\n",
                           {ping, "-c1", "-n", "-W1", "127.0.0.1"}, false, {"--monitor"});
  EXPECT_EQ(run.status, 0) << run.err;  // nothing applied: ping works as root
  EXPECT_NE(run.err.find("monitor mode does not apply the policy's caps, unshare and rlimit lines"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("needs CAP_NET_RAW (socket(AF_INET, SOCK_RAW)), which 'caps keep' drops: it would fail with "
                         "EPERM"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("cap_capable) are not observed"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rlimit: reaching a limit"), std::string::npos) << run.err;
}

// --- record proposes the lines ------------------------------------------------------------------

TEST_F(PrivilegesLiveTest, RecordProposesCapsNetworkAndOpenFiles) {
  // paste holds 20 files open at once: descriptors 3..22 (the eBPF backend sees them returned).
  std::vector<std::string> argv = {SysfenceBinary(), "record", "--backend", "ebpf", "-o", dir_.Path("paste.sfp"),
                                   "--", "/usr/bin/paste"};
  for (int i = 0; i < 20; ++i) argv.push_back("/dev/null");
  const Finished paste = RunCommand(argv);
  ASSERT_EQ(paste.status, 0) << paste.err;
  const std::string text = ReadFile(dir_.Path("paste.sfp"));
  EXPECT_NE(text.find("# Open files: the highest descriptor the program was given was 22 (at least 23 open at once)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n# rlimit NOFILE 128\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# unshare net\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# caps keep none\n"), std::string::npos) << text;
  // The suggested limit is enough when applied.
  const Finished limited = Run("rlimit NOFILE 128\nunshare net\ncaps keep none\n",
                               std::vector<std::string>(argv.begin() + 7, argv.end()));
  EXPECT_EQ(limited.status, 0) << limited.err;

  const std::string ping = dir_.Path("ping");
  fs::copy_file("/usr/bin/ping", ping);
  fs::permissions(ping, fs::perms::owner_all);
  const Finished recorded =
      RunCommand({SysfenceBinary(), "record", "-o", dir_.Path("ping.sfp"), "--", ping, "-c1", "-n", "127.0.0.1"});
  ASSERT_EQ(recorded.status, 0) << recorded.err;
  const std::string ping_text = ReadFile(dir_.Path("ping.sfp"));
  EXPECT_NE(ping_text.find("#   CAP_NET_RAW needed: socket(AF_INET, SOCK_RAW)"), std::string::npos) << ping_text;
  EXPECT_NE(ping_text.find("\n# caps keep CAP_NET_RAW\n"), std::string::npos) << ping_text;
  EXPECT_NE(ping_text.find("# Network: the program opened AF_INET"), std::string::npos) << ping_text;
}

}  // namespace
}  // namespace sysfence::live
