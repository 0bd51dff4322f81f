// SPDX-License-Identifier: Apache-2.0
// Exports judged by the real consumers: every systemd drop-in sysfence writes for the examples, a
// recorded policy and Docker's default profile passes `systemd-analyze verify` without a
// complaint (a broken drop-in is shown to fail the same check), `--unit` lays the drop-in out
// as systemd reads it, and every OCI config.json fragment validates against the runtime-spec
// schema.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace {

using sysfence::testsupport::CliResult;
using sysfence::testsupport::RunSysfence;
using sysfence::testsupport::TempDir;

std::string Source(const std::string& relative) { return sysfence::test_paths::SourceDir() + "/" + relative; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs `command` through the shell; returns its exit status and puts stdout+stderr in `output`.
int Shell(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int raw = pclose(pipe);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

bool HaveProgram(const std::string& name) {
  std::string ignored;
  return Shell("command -v " + name, ignored) == 0;
}

// The names on SystemCallFilter=/SystemCallLog= lines after the drop-in's "Added in Linux 6.0 or
// later" comment: the only names an older libseccomp may not know.
std::vector<std::string> RecentNames(const std::string& dropin) {
  std::vector<std::string> names;
  std::istringstream lines(dropin);
  std::string line;
  bool recent = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("# Added in Linux 6.0 or later")) {
      recent = true;
    } else if (recent && line.find('=') != std::string::npos && line[0] != '#') {
      std::istringstream words(line.substr(line.find('=') + 1));
      std::string word;
      while (words >> word) {
        if (word[0] == '~') word = word.substr(1);
        names.push_back(word.substr(0, word.find(':')));
      }
    } else if (!line.starts_with("#")) {
      recent = false;
    }
  }
  return names;
}

// systemd-analyze verify of a unit "t.service" (ExecStart=/bin/true) with `dropin` as
// t.service.d/sysfence.conf. Empty when systemd accepts it without a word; otherwise what it
// said. The one complaint excused: "Failed to parse system call, ignoring: NAME" for a NAME on
// the drop-in's recent-syscall lines that this machine's libseccomp does not know either.
std::string Verify(const std::string& dropin) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() + "/t.service.d");
  dir.Write("t.service", "[Unit]\nDescription=sysfence export test\n\n[Service]\nExecStart=/bin/true\n");
  dir.Write("t.service.d/sysfence.conf", dropin);
  std::string output;
  const int status =
      Shell("SYSTEMD_UNIT_PATH='" + dir.path() + ":' systemd-analyze verify '" + dir.path() + "/t.service'", output);
  const std::vector<std::string> recent = RecentNames(dropin);
  std::string complaints;
  std::istringstream lines(output);
  std::string line;
  constexpr std::string_view kUnknownCall = "Failed to parse system call, ignoring: ";
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const size_t at = line.find(kUnknownCall);
    if (at != std::string::npos) {
      const std::string name = line.substr(at + kUnknownCall.size());
      const bool is_recent = std::find(recent.begin(), recent.end(), name) != recent.end();
      if (is_recent && seccomp_syscall_resolve_name(name.c_str()) == __NR_SCMP_ERROR) continue;
    }
    complaints += line + "\n";
  }
  if (status != 0) complaints += "exit status " + std::to_string(status) + "\n";
  return complaints;
}

class ExportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveProgram("systemd-analyze")) GTEST_SKIP() << "[feature: systemd-analyze] systemd is not installed";
  }
};

std::vector<std::string> Corpus() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(Source("examples"))) {
    if (entry.path().extension() == ".sfp") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  files.push_back(Source("tests/data/recorded-busybox.sfp"));
  files.push_back(Source("tests/data/moby-default.json"));
  return files;
}

TEST_F(ExportCli, VerifyRejectsBrokenDropIns) {
  // The check the exports must pass really fails on what systemd does not accept.
  EXPECT_EQ(Verify("[Service]\nSystemCallFilter=read write\nSystemCallErrorNumber=EPERM\n"), "");
  for (const std::string broken : {"[Service]\nSystemCallFilter=read no_such_call\n",
                                   "[Service]\nSystemCallErrorNumber=ENOTANERRNO\n",
                                   "[Service]\nNoSuchSetting=yes\n",
                                   "[Service]\nRestrictAddressFamilies=AF_NOPE\n",
                                   "[Service]\nReadOnlyPaths=relative/path\n",
                                   "[Service]\nSocketBindDeny=tcp:0-99999\n",
                                   "[Service]\nSystemCallArchitectures=x86_64\n",
                                   "[Service\nNoNewPrivileges=yes\n"}) {
    EXPECT_NE(Verify(broken), "") << broken;
  }
}

TEST_F(ExportCli, EveryExampleRecordingAndDockerProfileGivesAVerifiedDropIn) {
  for (const std::string& policy : Corpus()) {
    for (const std::string arch : {"", "x86_64,x86", "x86_64,aarch64"}) {
      TempDir out;
      std::vector<std::string> args = {"compile", policy, "--format", "systemd", "--unit", "web", "-o", out.path()};
      if (!arch.empty()) args.insert(args.end(), {"--arch", arch});
      const CliResult run = RunSysfence(args);
      ASSERT_TRUE(run.exit_status == 0 || run.exit_status == 1) << policy << " (never refused): " << run.err;
      const std::string dropin = ReadFile(out.path() + "/web.service.d/sysfence.conf");
      ASSERT_NE(dropin.find("[Service]\n"), std::string::npos) << policy;
      EXPECT_NE(dropin.find("NoNewPrivileges=yes\n"), std::string::npos) << policy;
      EXPECT_EQ(Verify(dropin), "") << policy << " --arch " << arch << ":\n" << dropin;
      // Each warning on stderr is also in the file.
      std::istringstream lines(run.err);
      std::string line;
      while (std::getline(lines, line)) {
        const size_t at = line.find("warning: ");
        if (at == std::string::npos) continue;
        EXPECT_NE(dropin.find("# " + line.substr(at)), std::string::npos) << policy << ": " << line;
      }
    }
  }
}

TEST_F(ExportCli, WidenedConditionsAreWarnedOnStderrAndInTheFile) {
  TempDir dir;
  const std::string policy = dir.Write("p.sfp", "arch x86_64\ndefault errno EPERM\nallow write if fd in {1, 2}\n");
  const CliResult run = RunSysfence({"compile", policy, "--format", "systemd"});
  EXPECT_EQ(run.exit_status, 1) << run.err;  // warnings
  EXPECT_NE(run.err.find("p.sfp:3:1: warning: write: systemd gives allow for every argument and ABI; lost: allow "
                         "write if fd in {1, 2}"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.out.find("# warning: write: systemd gives allow"), std::string::npos) << run.out;
  EXPECT_EQ(Verify(run.out), "") << run.out;
}

// A policy with every line the drop-in and the fragment carry beyond seccomp.
constexpr const char* kPrivileged =
    "arch x86_64\ndefault errno EPERM\nallow read write exit_group\n"
    "allow socket if family in {AF_INET, AF_UNIX}\nfs read /etc /usr\nfs write /tmp\nnet bind tcp 8080\n"
    "caps keep CAP_NET_BIND_SERVICE CAP_NET_RAW\nunshare net ipc uts pid mount user cgroup\n"
    "rlimit NOFILE 1024 4096\nrlimit CORE 0\nrlimit AS unlimited\nrlimit CPU 60 unlimited\nrlimit NICE 10\n";

TEST_F(ExportCli, CapsUnshareAndRlimitDropInIsVerified) {
  TempDir dir;
  const std::string policy = dir.Write("p.sfp", kPrivileged);
  for (const std::string lines : {"", "caps keep none\n"}) {
    const std::string text = std::string(kPrivileged) + lines;
    const std::string file = dir.Write("q.sfp", lines.empty() ? text : "arch x86_64\ndefault allow\n" + lines);
    const CliResult run = RunSysfence({"compile", file, "--format", "systemd"});
    ASSERT_TRUE(run.exit_status == 0 || run.exit_status == 1) << run.err;
    EXPECT_EQ(Verify(run.out), "") << run.out;
    EXPECT_NE(run.out.find(lines.empty() ? "\nLimitNOFILE=1024:4096\n" : "\nCapabilityBoundingSet=\n"),
              std::string::npos)
        << run.out;
  }
  const CliResult k8s = RunSysfence({"compile", policy, "--format", "k8s"});
  for (const char* part : {"cannot carry 'caps keep'", "cannot carry 'unshare'", "cannot carry 'rlimit'"}) {
    EXPECT_NE(k8s.err.find(part), std::string::npos) << part << "\n" << k8s.err;
  }
}

TEST_F(ExportCli, UnitRefusalsWriteNothing) {
  TempDir dir;
  const std::string policy = dir.Write("p.sfp", "arch x86_64\ndefault allow\nkill ptrace\n");
  const std::vector<std::vector<std::string>> bad = {
      {"--format", "json", "--unit", "web", "-o", dir.path()},
      {"--format", "systemd", "--unit", "../web", "-o", dir.path()},
      {"--format", "systemd", "--unit", "web", "-o", dir.path() + "/missing"},
      {"--format", "systemd", "--unit", "web", "-o", policy},
  };
  for (const auto& flags : bad) {
    std::vector<std::string> args = {"compile", policy};
    args.insert(args.end(), flags.begin(), flags.end());
    const CliResult run = RunSysfence(args);
    EXPECT_EQ(run.exit_status, 2) << flags[3] << ": " << run.err;
    EXPECT_NE(run.err.find("--unit"), std::string::npos) << run.err;
  }
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) left.push_back(entry.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{"p.sfp"});
  // "web.service" means the same unit; an existing folder is reused.
  ASSERT_EQ(RunSysfence({"compile", policy, "--format", "systemd", "--unit", "web.service", "-o", dir.path()}).exit_status, 0);
  ASSERT_EQ(RunSysfence({"compile", policy, "--format", "systemd", "--unit", "web", "-o", dir.path()}).exit_status, 0);
  EXPECT_NE(ReadFile(dir.path() + "/web.service.d/sysfence.conf").find("SystemCallFilter=~ptrace\n"), std::string::npos);
}

TEST_F(ExportCli, OciConfigFragmentsValidateAgainstTheRuntimeSpec) {
  if (!HaveProgram("python3")) GTEST_SKIP() << "[feature: python3] python3 is not installed";
  TempDir dir;
  const std::string base = dir.Write("base.json", R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
      "process": {"cwd": "/", "args": ["/bin/sh"]}})");
  const std::string validate = "python3 -W ignore " + Source("tests/export_cli/validate_oci_config.py") + " " +
                               Source("tests/data/oci-schema") + " " + base + " ";
  std::string output;
  // The validator catches what the schema forbids.
  const std::string broken = dir.Write("broken.json", R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_NOPE"}}})");
  EXPECT_EQ(Shell(validate + broken, output), 1) << output;
  EXPECT_NE(output.find("$.linux.seccomp.defaultAction"), std::string::npos) << output;
  std::vector<std::string> policies = Corpus();
  policies.push_back(dir.Write("privileged.sfp", kPrivileged));
  policies.push_back(dir.Write("none.sfp", "arch x86_64\ndefault allow\ncaps keep none\n"));
  for (const std::string& policy : policies) {
    const std::string fragment = dir.path() + "/fragment.json";
    const CliResult run = RunSysfence({"compile", policy, "--format", "oci-config", "-o", fragment});
    ASSERT_TRUE(run.exit_status == 0 || run.exit_status == 1) << policy << ": " << run.err;
    EXPECT_NE(ReadFile(fragment).find("\"seccomp\""), std::string::npos);
    EXPECT_EQ(Shell(validate + fragment, output), 0) << policy << ": " << output;
  }
}

TEST_F(ExportCli, KubernetesExportNamesWhatASeccompProfileCannotCarry) {
  const CliResult run = RunSysfence({"compile", Source("examples/web.sfp"), "--format", "k8s"});
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_NE(run.err.find("a SeccompProfile cannot carry fs rules"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("a SeccompProfile cannot carry net rules"), std::string::npos) << run.err;
}

}  // namespace
