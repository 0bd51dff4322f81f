// SPDX-License-Identifier: Apache-2.0
#include "run/alerts.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <vector>

#include "os/spawn.h"

extern char** environ;

namespace sysfence::run {
namespace {

int64_t MonotonicNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// Writes all of `data` to `fd`; false on error (the command may have exited without reading).
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(rate_per_second), burst_(burst), tokens_(burst) {}

bool TokenBucket::TryTake(int64_t now_ns) {
  if (last_ns_ >= 0 && now_ns > last_ns_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_ns - last_ns_) / 1e9);
  }
  if (last_ns_ < 0 || now_ns > last_ns_) last_ns_ = now_ns;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

AlertDispatcher::AlertDispatcher(AlertOptions options)
    : options_(std::move(options)), bucket_(options_.rate_per_second, options_.burst) {
  worker_ = std::thread([this] { Work(); });
}

AlertDispatcher::~AlertDispatcher() { Finish(); }

bool AlertDispatcher::Submit(std::string event_json) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finishing_ || queue_.size() >= options_.queue_limit || !bucket_.TryTake(MonotonicNs())) {
      ++dropped_;
      return false;
    }
    queue_.push_back(std::move(event_json));
  }
  wake_.notify_one();
  return true;
}

void AlertDispatcher::Finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finishing_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

uint64_t AlertDispatcher::sent() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sent_;
}
uint64_t AlertDispatcher::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}
uint64_t AlertDispatcher::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failed_;
}

void AlertDispatcher::Work() {
  for (;;) {
    std::string input;
    uint64_t dropped_before = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return finishing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // finishing and drained
      input = std::move(queue_.front());
      queue_.pop_front();
      dropped_before = dropped_;
    }
    const bool ok = RunCommand(input, dropped_before);
    std::lock_guard<std::mutex> lock(mutex_);
    ++sent_;
    if (!ok) ++failed_;
  }
}

bool AlertDispatcher::RunCommand(const std::string& input, uint64_t dropped_before) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("SYSFENCE_ALERTS_DROPPED=")) continue;
    env.emplace_back(*e);
  }
  env.push_back("SYSFENCE_ALERTS_DROPPED=" + std::to_string(dropped_before));
  // Its own process group, so a timeout ends everything it started (a shell's `sleep`), not just
  // the shell.
  Result<pid_t> spawned = os::SpawnHelperCommand(options_.command, pipe_fds[0], env);
  close(pipe_fds[0]);
  if (!spawned.ok()) {
    close(pipe_fds[1]);
    return false;
  }
  const pid_t pid = spawned.value();
  WriteAll(pipe_fds[1], input);
  close(pipe_fds[1]);

  // Wait with a deadline: a hung alert command must not hold back the rest forever.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  bool timed_out = false;
  if (pidfd >= 0) {
    pollfd pfd{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = poll(&pfd, 1, static_cast<int>(options_.command_timeout_ms));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      kill(-pid, SIGKILL);  // the whole group
      timed_out = true;
    }
    close(pidfd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace sysfence::run
