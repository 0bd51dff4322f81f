// SPDX-License-Identifier: Apache-2.0
// sysfence_e2e_threads: a multithreaded program for the end-to-end `sysfence record -p` test.
//   sysfence_e2e_threads THREADS SECONDS SPAWN_MS
// starts THREADS threads that loop on getppid, nanosleep and reading /proc/self/stat, prints
// "ready" once they run, and after SECONDS (0: until killed) stops them, joins them and exits 0.
// Every SPAWN_MS milliseconds (0: never) the main thread forks a worker that executes this program
// again as `THREADS 0.05 0` and waits for it, as a daemon starts workers: an attach recording does
// not see the start-up of the image it attaches to, but it follows the workers, whose start-up,
// threads and exit are the same as this program's own.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> stop{false};

void Work() {
  char buffer[512];
  while (!stop.load()) {
    (void)getppid();
    const timespec pause{0, 2 * 1000 * 1000};
    nanosleep(&pause, nullptr);
    const int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      (void)!read(fd, buffer, sizeof(buffer));
      close(fd);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sysfence_e2e_threads THREADS SECONDS SPAWN_MS\n");
    return 2;
  }
  const int count = std::atoi(argv[1]);
  const double seconds = std::atof(argv[2]);
  const int spawn_ms = std::atoi(argv[3]);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) threads.emplace_back(Work);
  std::printf("ready\n");
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const auto tick = std::chrono::milliseconds(spawn_ms > 0 ? spawn_ms : 10);
  while (seconds <= 0 || std::chrono::steady_clock::now() - start < std::chrono::duration<double>(seconds)) {
    if (spawn_ms > 0) {
      const pid_t worker = fork();
      if (worker == 0) {
        execl(argv[0], argv[0], argv[1], "0.05", "0", nullptr);
        _exit(127);
      }
      int status = 0;
      if (worker > 0 && (waitpid(worker, &status, 0) != worker || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        std::fprintf(stderr, "sysfence_e2e_threads: worker failed (status %d)\n", status);
        return 1;
      }
    }
    std::this_thread::sleep_for(tick);
  }
  stop.store(true);
  for (std::thread& thread : threads) thread.join();
  return 0;
}
