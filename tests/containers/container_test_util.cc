// SPDX-License-Identifier: Apache-2.0
#include "tests/containers/container_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/test_paths.h"

namespace sysfence::containertest {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int WaitStatus(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Ran RunProgram(const std::vector<std::string>& argv, const std::string& input) {
  static std::atomic<int> counter{0};
  const std::string base = "/tmp/sf-ctr-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  { std::ofstream(base + ".in") << input; }
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open((base + ".in").c_str(), O_RDONLY);
    const int out = open((base + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open((base + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  Ran ran;
  ran.status = WaitStatus(pid);
  ran.out = ReadFile(base + ".out");
  ran.err = ReadFile(base + ".err");
  for (const char* suffix : {".in", ".out", ".err"}) fs::remove(base + suffix);
  return ran;
}

std::string ContainerSkipReason() {
  if (geteuid() != 0) return "[feature: root] containers need root";
  if (RunProgram({"runc", "--version"}).status != 0) return "[feature: runc] runc is not installed";
  if (!fs::exists("/bin/busybox")) return "[feature: runc] busybox-static is not installed";
  return "";
}

Bundle::Bundle(const std::string& dir, const std::vector<std::string>& args) : dir_(dir) {
  static std::atomic<int> counter{0};
  const std::string tag = "sf-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  exe_ = "/opt/" + tag + "/busybox";
  fs::create_directories(dir_ + "/rootfs/bin");
  fs::create_directories(dir_ + "/rootfs/opt/" + tag);
  fs::create_directories(dir_ + "/rootfs/tmp");
  fs::copy_file("/bin/busybox", dir_ + "/rootfs" + exe_);
  for (const char* applet : {"sh", "echo", "cat", "ls", "true", "mkdir", "sleep", "wc", "head", "id", "uname", "unshare"}) {
    fs::create_symlink(exe_, dir_ + "/rootfs/bin/" + applet);
  }
  RunProgram({"runc", "spec", "--bundle", dir_});
  config_ = nlohmann::json::parse(ReadFile(dir_ + "/config.json"));
  config_["process"]["terminal"] = false;
  config_["process"]["args"] = args;
  Save();
}

void Bundle::Save() const { std::ofstream(dir_ + "/config.json") << config_.dump(1); }

void Bundle::AddRecordHook(const std::string& profile_path, const std::string& log_path,
                           const std::vector<std::string>& extra) {
  config_["annotations"]["org.sysfence.record"] = profile_path;
  nlohmann::json args = {"sysfence", "oci-hook", "--log", log_path};
  for (const std::string& arg : extra) args.push_back(arg);
  config_["hooks"]["prestart"] = nlohmann::json::array({{{"path", test_paths::SysfenceCli()}, {"args", args}}});
  Save();
}

Ran Bundle::Run(const std::string& id) const {
  return RunProgram({"runc", "--root", dir_ + "/state", "run", "--bundle", dir_, id});
}

Ran Bundle::RunCrun(const std::string& id) const {
  const std::string script =
      "mkdir -p /tmp/sysfence-test-hugetlb && mount -t cgroup -o hugetlb cgroup /tmp/sysfence-test-hugetlb "
      "2>/dev/null; exec crun --cgroup-manager=disabled --root \"$0\" run --bundle \"$1\" \"$2\"";
  return RunProgram({"unshare", "-m", "sh", "-c", script, dir_ + "/crun-state", dir_, id});
}

std::string RuntimeSkipReason(const std::string& runtime) {
  if (std::string reason = ContainerSkipReason(); !reason.empty()) return reason;
  if (RunProgram({runtime, "--version"}).status != 0) return "[feature: " + runtime + "] " + runtime + " is not installed";
  return "";
}

bool WaitForFile(const std::string& path, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return fs::exists(path);
}

Watcher::Watcher(const std::string& dir) : output_(dir + "/watch.jsonl") {
  pid_ = fork();
  if (pid_ == 0) {
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 2);
    const std::string lock = output_ + ".lock";
    execl(test_paths::SysfenceCli().c_str(), "sysfence", "watch", "-o", output_.c_str(), "--lock-file", lock.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // The start line says the subscription is open.
  WaitForFile(output_, 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

Watcher::~Watcher() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    WaitStatus(pid_);
  }
}

std::vector<nlohmann::json> Watcher::Stop() {
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    WaitStatus(pid_);
    pid_ = 0;
  }
  std::vector<nlohmann::json> events;
  std::ifstream in(output_);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_discarded() && event.value("type", "") == "syscall") events.push_back(event);
  }
  return events;
}

}  // namespace sysfence::containertest
