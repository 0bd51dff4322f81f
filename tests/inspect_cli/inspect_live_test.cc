// SPDX-License-Identifier: Apache-2.0
// `decompile`, `lint`, `diff` and `disasm` with --pid on processes whose filters real Debian programs
// installed themselves, read live (PTRACE_SECCOMP_GET_FILTER, root): a runc container's process
// from the host, OpenSSH's pre-authentication child, vsftpd's pre-login session; a process with two
// stacked filters; and the refusals (no such pid, no filters, not allowed to inspect).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

using testsupport::RunSysfence;
using testsupport::TempDir;

// Runs a shell command and returns its standard output.
std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::string StatusField(int pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  }
  return {};
}

int ParentOf(int pid) {
  const std::string ppid = StatusField(pid, "PPid");
  return ppid.empty() ? 0 : std::stoi(ppid);
}

// A process below `ancestor` that runs under seccomp filters, waited for up to ~5 s.
int FilteredDescendant(int ancestor) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const int pid = std::stoi(name);
      if (StatusField(pid, "Seccomp").find('2') == std::string::npos) continue;
      for (int p = ParentOf(pid); p > 1; p = ParentOf(p)) {
        if (p == ancestor) return pid;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

// Starts `argv` in the background (its own process group) and returns its pid.
pid_t Spawn(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void StopGroup(pid_t pid) {
  if (pid <= 0) return;
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// A TCP client that connects to 127.0.0.1:port, optionally sends `hello`, and stays connected.
pid_t HoldConnection(int port, const std::string& hello) {
  return Spawn({"/usr/bin/python3", "-c",
                "import socket,time\ns=socket.create_connection(('127.0.0.1'," + std::to_string(port) +
                    "))\ns.recv(200)\ns.sendall(" + hello + ")\ntime.sleep(60)"});
}

class InspectLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "reading another process's filters needs CAP_SYS_ADMIN [feature: root]";
  }
  // decompile --pid proves equivalence (exit 0), lint and disasm read the same filters.
  void ExpectInspectable(int pid, const std::string& what) {
    const auto decompiled = RunSysfence({"decompile", "--pid", std::to_string(pid)});
    EXPECT_EQ(decompiled.exit_status, 0) << what << ": " << decompiled.err;
    EXPECT_NE(decompiled.err.find("Proven"), std::string::npos) << what << ": " << decompiled.err;
    EXPECT_NE(decompiled.out.find("\narch x86_64"), std::string::npos) << decompiled.out.substr(0, 400);
    const auto lint = RunSysfence({"lint", "--pid", std::to_string(pid), "--format", "json"});
    EXPECT_LE(lint.exit_status, 1) << lint.err;
    EXPECT_NO_THROW(nlohmann::json::parse(lint.out));
  }
};

TEST_F(InspectLiveTest, RuncContainerProcessFromTheHost) {
  if (Shell("command -v runc").empty()) GTEST_SKIP() << "runc is not installed [feature: runc]";
  TempDir dir;
  const std::string bundle = dir.path() + "/bundle";
  std::filesystem::create_directories(bundle + "/rootfs/bin");
  std::filesystem::copy_file("/bin/busybox", bundle + "/rootfs/bin/busybox");
  ASSERT_EQ(std::system(("cd " + bundle + " && runc spec").c_str()), 0);
  const auto profile = RunSysfence({"compile", test_paths::SourceDir() + "/tests/data/moby-default.json", "--format", "json"});
  ASSERT_EQ(profile.exit_status, 0) << profile.err;
  nlohmann::json config;
  std::ifstream(bundle + "/config.json") >> config;
  config["process"]["args"] = {"/bin/busybox", "sleep", "600"};
  config["process"]["terminal"] = false;
  config["linux"]["seccomp"] = nlohmann::json::parse(profile.out);
  std::ofstream(bundle + "/config.json") << config.dump();
  const std::string id = "sf-inspect-" + std::to_string(getpid());
  ASSERT_EQ(std::system(("runc create --bundle " + bundle + " " + id + " </dev/null >/dev/null 2>&1 && runc start " + id).c_str()), 0);
  const auto state = nlohmann::json::parse(Shell("runc state " + id));
  const int pid = state["pid"].get<int>();
  ExpectInspectable(pid, "runc");
  // The container's process, read from the host, carries runc's filter: the same as the fixture.
  const auto diff = RunSysfence({"diff", "pid:" + std::to_string(pid), test_paths::SourceDir() + "/tests/data/runc-moby-default.asm"});
  EXPECT_EQ(diff.exit_status, 0) << diff.out.substr(0, 2000);
  std::system(("runc delete -f " + id + " >/dev/null 2>&1").c_str());
}

TEST_F(InspectLiveTest, OpensshPreauthChild) {
  if (!std::filesystem::exists("/usr/sbin/sshd")) GTEST_SKIP() << "openssh-server is not installed [feature: sshd]";
  TempDir dir;
  ASSERT_EQ(std::system(("ssh-keygen -q -t ed25519 -N '' -f " + dir.path() + "/key >/dev/null").c_str()), 0);
  std::filesystem::create_directories("/run/sshd");
  const int port = 20000 + getpid() % 20000;
  const pid_t sshd = Spawn({"/usr/sbin/sshd", "-D", "-p", std::to_string(port), "-h", dir.path() + "/key", "-o",
                            "ListenAddress=127.0.0.1", "-o", "PidFile=none"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const pid_t client = HoldConnection(port, "b'SSH-2.0-sysfence-test\\r\\n'");
  const int child = FilteredDescendant(sshd);
  ASSERT_NE(child, 0) << "no sandboxed sshd child";
  ExpectInspectable(child, "sshd");
  StopGroup(client);
  StopGroup(sshd);
}

TEST_F(InspectLiveTest, VsftpdPreloginSession) {
  if (!std::filesystem::exists("/usr/sbin/vsftpd")) GTEST_SKIP() << "vsftpd is not installed [feature: vsftpd]";
  TempDir dir;
  const int port = 20000 + (getpid() + 7) % 20000;
  std::filesystem::create_directories("/var/run/vsftpd/empty");
  const std::string config = dir.Write("vsftpd.conf", "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=" +
                                                         std::to_string(port) + "\nbackground=NO\nanonymous_enable=NO\n"
                                                         "local_enable=YES\nsecure_chroot_dir=/var/run/vsftpd/empty\n"
                                                         "seccomp_sandbox=YES\npam_service_name=vsftpd\n");
  const pid_t server = Spawn({"/usr/sbin/vsftpd", config});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const pid_t client = HoldConnection(port, "b''");
  const int session = FilteredDescendant(server);
  ASSERT_NE(session, 0) << "no sandboxed vsftpd session";
  ExpectInspectable(session, "vsftpd");
  const auto diff = RunSysfence({"diff", "--pid", std::to_string(session), test_paths::SourceDir() + "/tests/data/vsftpd-prelogin.asm"});
  EXPECT_EQ(diff.exit_status, 0) << diff.out;
  StopGroup(client);
  StopGroup(server);
}

TEST_F(InspectLiveTest, StackedFiltersSayWhichOneDecides) {
  FILE* pipe = popen(SF_TWO_FILTERS_PATH, "r");
  ASSERT_NE(pipe, nullptr);
  char line[32] = {};
  ASSERT_NE(fgets(line, sizeof(line), pipe), nullptr);
  ASSERT_EQ(std::string(line).rfind("ready ", 0), 0u) << line;
  const std::string p = std::to_string(std::stoi(std::string(line).substr(6)));
  const auto decompiled = RunSysfence({"decompile", "--pid", p});
  EXPECT_EQ(decompiled.exit_status, 0) << decompiled.err;
  EXPECT_NE(decompiled.out.find("2 stacked filters"), std::string::npos) << decompiled.out;
  EXPECT_NE(decompiled.out.find("# filter 0 decides\nerrno EPERM ptrace"), std::string::npos) << decompiled.out;
  EXPECT_NE(decompiled.out.find("# filter 1 decides\nkill mount"), std::string::npos) << decompiled.out;
  const auto only = RunSysfence({"decompile", "--pid", p, "--filter", "1"});
  EXPECT_NE(only.out.find("(filter 1 of 2)"), std::string::npos) << only.out;
  EXPECT_EQ(only.out.find("ptrace"), std::string::npos);
  const auto out_of_range = RunSysfence({"lint", "--pid", p, "--filter", "2"});
  EXPECT_EQ(out_of_range.exit_status, 2);
  EXPECT_NE(out_of_range.err.find("has 2 filter(s)"), std::string::npos) << out_of_range.err;
  const auto disasm = RunSysfence({"disasm", "--pid", p});
  EXPECT_NE(disasm.out.find("filter 1 decides"), std::string::npos) << disasm.out;
  kill(std::stoi(p), SIGKILL);
  pclose(pipe);
}

TEST_F(InspectLiveTest, ProcessesWeCannotInspect) {
  const auto unfiltered = RunSysfence({"lint", "--pid", std::to_string(getpid())});
  EXPECT_EQ(unfiltered.exit_status, 2);
  EXPECT_NE(unfiltered.err.find("has no seccomp filters"), std::string::npos) << unfiltered.err;
  const auto gone = RunSysfence({"diff", "--pid", "999999999", "--pid", "1"});
  EXPECT_EQ(gone.exit_status, 2);
  const auto denied = Shell("setpriv --reuid=65534 --regid=65534 --clear-groups " + test_paths::SysfenceCli() +
                            " decompile --pid 1 2>&1; echo status=$?");
  EXPECT_NE(denied.find("needs CAP_SYS_ADMIN"), std::string::npos) << denied;
  EXPECT_NE(denied.find("status=2"), std::string::npos) << denied;
}

}  // namespace
}  // namespace sysfence
