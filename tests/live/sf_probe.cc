// SPDX-License-Identifier: Apache-2.0
// sf_probe: a small program the live tests run under `sysfence run`. Each mode makes one kind of
// syscall the tests care about and prints what the kernel answered, as "ret=N errno=NAME".
//
//   sf_probe call NAME         getppid | uname | getpid | socket-netlink | socket-inet | personality
//   sf_probe x32 NR            syscall NR with the x32 bit set (0x40000000 | NR)
//   sf_probe int80 NR          i386 syscall NR through `int 0x80`
//   sf_probe tiocsti           ioctl(0, TIOCSTI | 1 << 32, "x")
//   sf_probe io_uring          io_uring_setup(8, ...)
//   sf_probe threads N NAME    N threads each call NAME once; prints how many failed with EPERM
//   sf_probe loop N NAME       calls NAME N times; prints how many failed
//   sf_probe must-call NAME    calls NAME; exits 0 when it succeeded, 3 when it failed
//   sf_probe call-then-wait NAME FILE
//                              like `call`, then stays alive until FILE exists (at most 30 s), so
//                              a watcher can still read the process's /proc entries
//   sf_probe sleep SECONDS     sleeps, then exits 0 (for signal tests); exits 100+sig on a signal
//   sf_probe exit CODE         exits with CODE
//   sf_probe alarm-call NAME   SIGALRM (SA_RESTART handler) in 100 ms, then calls NAME
//   sf_probe alarm-call-beside NAME OTHER
//                              calls NAME; another thread calls OTHER at 50 ms, and the calling
//                              thread gets SIGALRM (SA_RESTART handler) at 100 ms
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

long CallByName(const std::string& name) {
  if (name == "getppid") return syscall(SYS_getppid);
  if (name == "getpid") return syscall(SYS_getpid);
  if (name == "uname") {
    char buffer[512];
    return syscall(SYS_uname, buffer);
  }
  if (name == "socket-netlink") return syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
  if (name == "socket-inet") return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
  if (name == "personality") return syscall(SYS_personality, 0xffffffff);
  std::fprintf(stderr, "sf_probe: unknown call %s\n", name.c_str());
  std::exit(64);
}

int Report(long ret) {
  const int err = ret < 0 ? errno : 0;
  std::printf("ret=%ld errno=%s\n", ret, err == 0 ? "0" : strerrorname_np(err));
  std::fflush(stdout);
  return 0;
}

long Int80(long nr) {
#if defined(__x86_64__)
  long ret;
  asm volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
  if (ret < 0 && ret > -4096) {
    errno = static_cast<int>(-ret);
    return -1;
  }
  return ret;
#else
  (void)nr;
  errno = ENOSYS;
  return -1;
#endif
}

std::atomic<int> g_signal{0};
void OnSignal(int sig) { g_signal = sig; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  const std::string mode = argv[1];
  if (mode == "call" && argc == 3) return Report(CallByName(argv[2]));
  if (mode == "x32" && argc == 3) return Report(syscall(0x40000000L | std::atol(argv[2])));
  if (mode == "int80" && argc == 3) return Report(Int80(std::atol(argv[2])));
  if (mode == "tiocsti") {
    char c = 'x';
    return Report(syscall(SYS_ioctl, 0, static_cast<unsigned long>(TIOCSTI) | (1UL << 32), &c));
  }
  if (mode == "io_uring") {
    io_uring_params params{};
    return Report(syscall(SYS_io_uring_setup, 8, &params));
  }
  if (mode == "threads" && argc == 4) {
    const int n = std::atoi(argv[2]);
    const std::string name = argv[3];
    std::atomic<int> denied{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < n) std::this_thread::yield();  // call together
        if (CallByName(name) < 0 && errno == EPERM) denied.fetch_add(1);
      });
    }
    for (auto& t : threads) t.join();
    std::printf("denied=%d of %d\n", denied.load(), n);
    return 0;
  }
  if (mode == "must-call" && argc == 3) return CallByName(argv[2]) < 0 ? 3 : 0;
  if (mode == "call-then-wait" && argc == 4) {
    const int status = Report(CallByName(argv[2]));
    std::fflush(stdout);
    for (int i = 0; i < 3000 && access(argv[3], F_OK) != 0; ++i) usleep(10000);
    return status;
  }
  if (mode == "loop" && argc == 4) {
    const long n = std::atol(argv[2]);
    long failed = 0;
    for (long i = 0; i < n; ++i) failed += CallByName(argv[3]) < 0 ? 1 : 0;
    std::printf("failed=%ld of %ld\n", failed, n);
    return 0;
  }
  if (mode == "sleep" && argc == 3) {
    struct sigaction action {};
    action.sa_handler = OnSignal;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGHUP, &action, nullptr);
    std::printf("sleeping\n");
    std::fflush(stdout);
    const int seconds = std::atoi(argv[2]);
    for (int i = 0; i < seconds * 100 && g_signal == 0; ++i) usleep(10000);
    if (g_signal != 0) {
      std::printf("got signal %d\n", g_signal.load());
      return 100 + g_signal;
    }
    return 0;
  }
  if (mode == "alarm-call" && argc == 3) {
    struct sigaction action {};
    action.sa_handler = OnSignal;
    action.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &action, nullptr);
    ualarm(100'000, 0);
    const long ret = CallByName(argv[2]);
    Report(ret);
    std::printf("signal=%d\n", g_signal.load());
    return 0;
  }
  if (mode == "alarm-call-beside" && argc == 4) {
    struct sigaction action {};
    action.sa_handler = OnSignal;
    action.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &action, nullptr);
    const pthread_t caller = pthread_self();
    const std::string other = argv[3];
    std::thread beside([&other] {
      usleep(50'000);
      CallByName(other);
    });
    std::thread alarm([caller] {
      usleep(100'000);
      pthread_kill(caller, SIGALRM);
    });
    const long ret = CallByName(argv[2]);
    alarm.join();
    beside.join();
    Report(ret);
    std::printf("signal=%d\n", g_signal.load());
    return 0;
  }
  if (mode == "exit" && argc == 3) return std::atoi(argv[2]);
  std::fprintf(stderr, "sf_probe: bad arguments\n");
  return 64;
}
