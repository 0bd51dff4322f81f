// SPDX-License-Identifier: Apache-2.0
#include "os/detach.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "os/unique_fd.h"

namespace sysfence::os {
namespace {

// The grandchild's standard streams go to /dev/null and every other descriptor but `keep` closes.
void DropInheritedFds(int keep) {
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    for (int fd = 0; fd <= 2; ++fd) dup2(null, fd);
    if (null > 2 && null != keep) close(null);
  }
  if (keep > 3) syscall(SYS_close_range, 3u, static_cast<unsigned>(keep - 1), 0u);
  syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0u, 0u);
}

// Reads the grandchild's report: "R<pid>" or "F<code><message>"; nothing when it died first.
Result<pid_t> ReadReport(int fd) {
  std::string report;
  char buffer[1024];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      report.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (report.size() > 1 && report[0] == 'R') return static_cast<pid_t>(std::stol(report.substr(1)));
  if (report.size() > 1 && report[0] == 'F') {
    return MakeError(static_cast<ErrorCode>(report[1] - '0'), report.substr(2));
  }
  return MakeError(ErrorCode::kOs, "the detached process exited before it was under way");
}

}  // namespace

DetachedReporter::~DetachedReporter() {
  if (fd_ >= 0) close(fd_);
}

void DetachedReporter::Send(const std::string& bytes) {
  if (fd_ < 0) return;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd_);
  fd_ = -1;
}

void DetachedReporter::Ready() { Send("R" + std::to_string(getpid())); }

void DetachedReporter::Fail(ErrorCode code, const std::string& message) {
  Send(std::string("F") + static_cast<char>('0' + static_cast<int>(code)) + message);
}

Result<pid_t> RunDetached(const std::function<int(DetachedReporter&)>& work) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return MakeError(ErrorCode::kOs, std::string("pipe2: ") + std::strerror(errno));
  UniqueFd read_end(fds[0]);
  const pid_t middle = fork();
  if (middle < 0) {
    close(fds[1]);
    return MakeError(ErrorCode::kOs, std::string("fork: ") + std::strerror(errno));
  }
  if (middle == 0) {
    // The middle child starts a session and leaves at once: the grandchild, orphaned, is adopted
    // by init (or the nearest subreaper) and is no child the caller must wait for.
    setsid();
    const pid_t grandchild = fork();
    if (grandchild != 0) _exit(grandchild < 0 ? 1 : 0);
    DropInheritedFds(fds[1]);
    DetachedReporter reporter(fds[1]);
    const int status = work(reporter);
    _exit(status);
  }
  close(fds[1]);
  int status = 0;
  while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  return ReadReport(read_end.get());
}

}  // namespace sysfence::os
