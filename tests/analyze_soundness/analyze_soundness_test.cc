// SPDX-License-Identifier: Apache-2.0
// Soundness of the static analysis, measured: each Debian program runs a workload of its own
// under `sysfence record` (eBPF backend), then `sysfence analyze` reads the same program; every
// recorded syscall must be in the analysed set. Each test prints a precision row (recorded,
// analysed, all x86_64 syscalls) for docs/analyze.md.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "syscalls/syscalls.h"
#include "tests/support/cli_runner.h"

extern char** environ;

namespace sysfence::testsupport {
namespace {

struct Workload {
  std::string name;
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
};

// A scratch folder with the inputs the workloads read and write (removed at exit).
const std::string& WorkFolder() {
  static TempDir dir;
  static const bool filled = [] {
    std::string numbers;
    for (int i = 0; i < 20000; ++i) numbers += std::to_string(i * 7919 % 20011) + "\n";
    dir.Write("nums.txt", numbers);
    std::ifstream services("/etc/services");
    std::stringstream text;
    text << services.rdbuf();
    dir.Write("svc.txt", text.str());
    return true;
  }();
  (void)filled;
  return dir.path();
}

// The library cache the analyses of one test process share.
const std::string& CacheFolder() {
  static TempDir dir;
  return dir.path();
}

std::vector<Workload> Workloads() {
  const std::string w = WorkFolder();
  return {
      {"ls", {"ls", "-la", "/usr", w}},
      {"cat", {"cat", "/etc/os-release", w + "/svc.txt"}},
      {"cp", {"cp", w + "/svc.txt", w + "/svc.copy"}},
      {"sort", {"sort", "-n", "-r", w + "/nums.txt", "-o", w + "/sorted.txt"}},
      {"wc", {"wc", "-l", "-w", "-c", w + "/svc.txt"}},
      {"sha256sum", {"sha256sum", w + "/svc.txt", w + "/nums.txt"}},
      {"date", {"date", "-u", "+%s"}},
      {"df", {"df", "-h"}},
      {"stat", {"stat", "/etc/passwd", "/tmp"}},
      {"find", {"find", "/usr/share/doc/coreutils", "-type", "f"}},
      {"grep", {"grep", "-r", "-c", "tcp", "/etc/services", "/etc/protocols"}},
      {"sed", {"sed", "-e", "s/tcp/TCP/g", w + "/svc.txt"}},
      {"tar", {"tar", "-cf", w + "/a.tar", "-C", w, "svc.txt", "nums.txt"}},
      {"gzip", {"gzip", "-9", "-k", "-f", w + "/nums.txt"}},
      {"xz", {"xz", "-k", "-f", "-T2", w + "/svc.txt"}},
      {"bzip2", {"bzip2", "-k", "-f", w + "/svc.txt"}},
      {"git", {"git", "init", "-q", w + "/repo"}},
      {"curl", {"curl", "-s", "-o", w + "/curl.out", "file:///etc/os-release"}},
      {"python3", {"python3", "-c", "import json,os,hashlib;print(json.dumps(sorted(os.listdir('/tmp'))[:3]))"}},
      {"sqlite3", {"sqlite3", w + "/db.sqlite", "create table if not exists t(a); insert into t values(1); select count(*) from t;"}},
      {"jq", {"jq", "-n", "[range(10)] | add"}},
      {"openssl", {"openssl", "dgst", "-sha256", w + "/svc.txt"}},
      {"file", {"file", "/bin/ls", "/etc/passwd"}},
      {"busybox", {"busybox", "ls", "-l", "/etc"}},
  };
}

std::string FindInPath(const std::string& name) {
  for (const char* folder : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
    const std::string path = std::string(folder) + "/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

std::set<std::string> Recorded(const std::string& json_path) {
  std::ifstream in(json_path);
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  std::set<std::string> names;
  if (!json.is_object()) return names;
  for (const auto& s : json.at("syscalls")) {
    if (s.value("count", 0) > 0) names.insert(s.at("arch").get<std::string>() + ":" + s.at("name").get<std::string>());
  }
  return names;
}

std::set<std::string> Analysed(const std::string& json_path) {
  std::ifstream in(json_path);
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  std::set<std::string> names;
  if (!json.is_object()) return names;
  for (const auto& s : json.at("syscalls")) names.insert(s.at("arch").get<std::string>() + ":" + s.at("name").get<std::string>());
  return names;
}

// Checks that the analysis of `program` holds every syscall of the recording at `recording`.
void ExpectSound(const std::string& name, const std::string& program, const std::string& recording) {
  const std::string analysis = WorkFolder() + "/" + name + ".analysis.json";
  const CliResult analysed = RunSysfence({"analyze", "-q", "--cache", CacheFolder(), "--json", analysis, program});
  ASSERT_EQ(analysed.exit_status, 0) << analysed.err;
  const std::set<std::string> recorded = Recorded(recording);
  const std::set<std::string> found = Analysed(analysis);
  ASSERT_FALSE(recorded.empty()) << "the recording holds no syscall";
  std::vector<std::string> missing;
  for (const std::string& syscall : recorded) {
    if (!found.contains(syscall)) missing.push_back(syscall);
  }
  EXPECT_TRUE(missing.empty()) << name << ": recorded but not found by the analysis: " << fmt::format("{}", fmt::join(missing, ", "));
  std::printf("| %s | %zu | %zu | %zu |\n", name.c_str(), recorded.size(), found.size(), syscalls::AllOf(Arch::kX86_64).size());
}

class AnalyzeSoundnessTest : public ::testing::TestWithParam<Workload> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "recording with the eBPF backend needs root [feature: root]";
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) GTEST_SKIP() << "no kernel BTF [feature: ebpf]";
  }
};

TEST_P(AnalyzeSoundnessTest, RecordedSyscallsAreAllInTheStaticSet) {
  const Workload& workload = GetParam();
  const std::string program = FindInPath(workload.argv[0]);
  ASSERT_FALSE(program.empty()) << workload.argv[0] << " is not installed (scripts/deps.txt lists it)";
  const std::string recording = WorkFolder() + "/" + workload.name + ".recording.json";
  std::vector<std::string> args = {"record", "--backend", "ebpf", "-q", "-o", WorkFolder() + "/p.sfp", "--json", recording, "--", program};
  args.insert(args.end(), workload.argv.begin() + 1, workload.argv.end());
  const CliResult recorded = RunSysfence(args);
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  ExpectSound(workload.name, program, recording);
}

INSTANTIATE_TEST_SUITE_P(DebianPrograms, AnalyzeSoundnessTest, ::testing::ValuesIn(Workloads()),
                         [](const ::testing::TestParamInfo<Workload>& param_info) { return param_info.param.name; });

// A server with its own workload: memcached answers set, get and stats from this test over
// loopback, then shuts down on request.
TEST(AnalyzeSoundnessServerTest, MemcachedServingClientsIsInTheStaticSet) {
  if (geteuid() != 0) GTEST_SKIP() << "recording with the eBPF backend needs root [feature: root]";
  const std::string program = FindInPath("memcached");
  ASSERT_FALSE(program.empty()) << "memcached is not installed (scripts/deps.txt lists it)";
  const int port = 20000 + getpid() % 20000;
  const std::string recording = WorkFolder() + "/memcached.recording.json";
  std::vector<std::string> args = {SysfenceBinary(), "record", "--backend", "ebpf", "-q", "-o", WorkFolder() + "/m.sfp",
                                   "--json", recording, "--", program, "-A", "-u", "root", "-l", "127.0.0.1",
                                   "-p", std::to_string(port), "-U", "0", "-t", "2"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t recorder = 0;
  ASSERT_EQ(posix_spawn(&recorder, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  int fd = -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd);
      fd = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_GE(fd, 0) << "memcached did not listen on port " << port;
  const std::string commands = "set k 0 0 5\r\nhello\r\nget k\r\nincr n 1\r\nstats\r\ndelete k\r\n";
  ASSERT_EQ(write(fd, commands.data(), commands.size()), static_cast<ssize_t>(commands.size()));
  std::string replies;
  char buffer[4096];
  while (replies.find("DELETED") == std::string::npos) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    replies.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_NE(replies.find("VALUE k 0 5"), std::string::npos) << replies;
  const std::string shutdown = "shutdown\r\n";
  ASSERT_EQ(write(fd, shutdown.data(), shutdown.size()), static_cast<ssize_t>(shutdown.size()));
  close(fd);
  int status = 0;
  ASSERT_EQ(waitpid(recorder, &status, 0), recorder);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  ExpectSound("memcached", program, recording);
}

}  // namespace
}  // namespace sysfence::testsupport
