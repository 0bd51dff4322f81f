// SPDX-License-Identifier: Apache-2.0
// sysfence_record_workload: a small, deterministic program the recorder tests record under every
// backend.
//   basic       a fixed mix: files (one failing open), sockets of two families, prctl, a thread,
//               uname, a write to stdout
//   threads N   N threads calling getppid and sleeping, forever; the main thread forks a short-lived
//               child (getuid, exit) every 100 ms; prints "ready" once everything runs, then
//               "child T" after each child was reaped, T its fork's CLOCK_MONOTONIC time in ns
//               (so -p tests can wait for children forked after the recorder attached)
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

namespace {

int Basic() {
  (void)getpid();
  (void)getppid();
  char buffer[64];
  const int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)!read(fd, buffer, sizeof(buffer));
    close(fd);
  }
  (void)open("/nonexistent/sysfence-workload", O_RDONLY);  // fails: ENOENT
  const int unix_socket = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (unix_socket >= 0) close(unix_socket);
  const int inet_socket = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (inet_socket >= 0) close(inet_socket);
  (void)prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  std::thread worker([] {
    usleep(20000);
    (void)syscall(SYS_gettid);
  });
  worker.join();
  // Whether join waited (futex) depends on the scheduling: on a busy machine the worker can end
  // before join is called. One futex call of its own keeps the set the same on every run.
  int word = 0;
  (void)syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  utsname name{};
  (void)uname(&name);
  (void)!write(1, "ok\n", 3);
  return 0;
}

int Threads(int count) {
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([] {
      for (;;) {
        (void)getppid();
        usleep(2000);
      }
    });
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const pid_t child = fork();
    if (child == 0) {
      (void)getuid();
      _exit(0);
    }
    if (child > 0) waitpid(child, nullptr, 0);
    std::printf("child %lld\n", static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
    std::fflush(stdout);
    usleep(100 * 1000);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "basic") == 0) return Basic();
  if (argc >= 3 && std::strcmp(argv[1], "threads") == 0) return Threads(std::atoi(argv[2]));
  std::fprintf(stderr, "usage: sysfence_record_workload basic | threads N\n");
  return 2;
}
