// SPDX-License-Identifier: Apache-2.0
#include "tests/live/live_util.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "tests/support/test_paths.h"

namespace sysfence::live {

std::string LiveSkipReason() {
  unsigned int action = SECCOMP_RET_USER_NOTIF;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
    return "this kernel lacks seccomp user notification (SECCOMP_GET_ACTION_AVAIL) [feature: user-notif]";
  }
  if (syscall(SYS_pidfd_open, getpid(), 0) < 0) return "this kernel lacks pidfd_open [feature: pidfd-open]";
  return "";
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sysfence-live-XXXXXX").string();
  dir_ = mkdtemp(pattern.data()) != nullptr ? pattern : "/tmp";
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (dir_ != "/tmp") std::filesystem::remove_all(dir_, ignored);
}

std::string TempDir::Write(const std::string& name, const std::string& text) const {
  const std::string path = Path(name);
  std::ofstream(path) << text;
  return path;
}

std::string SysfenceBinary() {
  return sysfence::test_paths::SysfenceCli();
}

std::string ProbeBinary() { return SF_PROBE_PATH; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Finished RunCommand(const std::vector<std::string>& argv, int timeout_s) {
  char out_path[] = "/tmp/sysfence-live-out-XXXXXX";
  char err_path[] = "/tmp/sysfence-live-err-XXXXXX";
  const int out_fd = mkstemp(out_path);
  const int err_fd = mkstemp(err_path);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    // Only 0, 1 and 2 reach the command (not the test's own fds, nor those the test runner
    // inherited): tests look at what a program inherits from sysfence.
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execv(args[0], args.data());
    _exit(127);
  }
  Finished finished;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd pfd{pidfd, POLLIN, 0};
  if (poll(&pfd, 1, timeout_s * 1000) == 0) kill(pid, SIGKILL);
  close(pidfd);
  int status = 0;
  waitpid(pid, &status, 0);
  finished.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  close(out_fd);
  close(err_fd);
  finished.out = ReadFile(out_path);
  finished.err = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  return finished;
}

std::vector<nlohmann::json> ReadEvents(const std::string& path) {
  std::vector<nlohmann::json> events;
  std::istringstream lines(ReadFile(path));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));  // throws on invalid JSON
  }
  return events;
}

std::vector<nlohmann::json> EventsFor(const std::vector<nlohmann::json>& events, const std::string& syscall) {
  std::vector<nlohmann::json> out;
  for (const auto& event : events) {
    if (event.value("type", "") == "syscall" && event.value("syscall", "") == syscall) out.push_back(event);
  }
  return out;
}

}  // namespace sysfence::live
