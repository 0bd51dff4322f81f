// SPDX-License-Identifier: Apache-2.0
#include "tests/watch/watch_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/live/live_util.h"

namespace sysfence::live {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                                     const std::string& stderr_path) {
  pid_ = fork();
  if (pid_ == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (status_ < 0 && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void BackgroundProcess::Signal(int signal) const { kill(pid_, signal); }

int BackgroundProcess::Wait(int timeout_s) {
  for (int i = 0; i < timeout_s * 50 && status_ < 0; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

bool BackgroundProcess::Running() {
  if (status_ >= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

bool WaitFor(const std::function<bool()>& condition, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool WaitForText(const std::string& path, const std::string& needle, int timeout_ms) {
  return WaitFor([&] { return ReadFile(path).find(needle) != std::string::npos; }, timeout_ms);
}

std::string ProbeCopy(const TempDir& dir) {
  const std::string copy = dir.Path("sf_probe");
  std::ofstream(copy, std::ios::binary) << std::ifstream(ProbeBinary(), std::ios::binary).rdbuf();
  chmod(copy.c_str(), 0755);
  return copy;
}

}  // namespace sysfence::live
