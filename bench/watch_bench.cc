// SPDX-License-Identifier: Apache-2.0
// `sysfence watch` under a violation storm (docs/performance.md, "Watch"), with ratios against an
// anchor: a bare reader of the same netlink audit group that only counts records (no parsing, no
// JSON, no /proc), the ceiling any watcher can reach.
//
//  1. Throughput and loss: N processes (1, 2, 4, 8) each make M denied calls (getppid under their
//     own SECCOMP_FILTER_FLAG_LOG filter returning EPERM). Reported: calls made, events that reached
//     the events file, records the watcher reported lost, events per second, and the same for the
//     bare reader; with the kernel's audit backlog at its current value and at 8192.
//  2. CPU: user+system time of the watcher per 1000 events (from /proc/PID/stat).
//  3. Memory: the watcher's resident set, sampled every second through a long storm (--long S
//     seconds, default 60); bounded means the last sample is no larger than the peak of the first
//     quarter plus a small margin.
//
// Usage (root): watch_bench SYSFENCE_BINARY [--calls M] [--long SECONDS]
// The machine-wide audit backlog limit is changed for part 1 and restored.
#include <fcntl.h>
#include <poll.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "os/audit_control.h"
#include "os/audit_stream.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// A child that installs a logging filter denying getppid, then calls it `calls` times (or, with
// `seconds` > 0, for that long at full speed).
pid_t Stormer(long calls, double seconds) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_NAME, "wb_storm");
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),  // seccomp_data.nr
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{4, code};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &program) != 0) _exit(3);
  if (seconds > 0) {
    const auto start = Clock::now();
    while (Seconds(start) < seconds) {
      for (int i = 0; i < 1000; ++i) syscall(SYS_getppid);
    }
  } else {
    for (long i = 0; i < calls; ++i) syscall(SYS_getppid);
  }
  _exit(0);
}

// Runs `processes` stormers to completion; the storm's wall time.
double Storm(int processes, long calls) {
  const auto start = Clock::now();
  std::vector<pid_t> children;
  for (int i = 0; i < processes; ++i) children.push_back(Stormer(calls, 0));
  for (pid_t child : children) waitpid(child, nullptr, 0);
  return Seconds(start);
}

std::string ReadAll(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// utime + stime of `pid` in seconds.
double CpuSeconds(pid_t pid) {
  const std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long StatusKb(pid_t pid, const std::string& key) {
  std::istringstream status(ReadAll("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
  }
  return -1;
}

// Counts lines of the events file naming the stormers, and the lost counts reported.
void CountEvents(const std::string& path, long* events, long* lost) {
  *events = 0;
  *lost = 0;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (line.find("\"comm\":\"wb_storm\"") != std::string::npos) ++*events;
    if (line.rfind("{\"type\":\"lost\"", 0) == 0) {
      const size_t at = line.find("\"count\":");
      if (at != std::string::npos) *lost += std::atol(line.c_str() + at + 8);
    }
  }
}

struct Watcher {
  pid_t pid = -1;
  std::string events;
};

Watcher StartWatch(const std::string& binary, const std::string& dir) {
  Watcher watcher;
  watcher.events = dir + "/events.jsonl";
  std::remove(watcher.events.c_str());
  watcher.pid = fork();
  if (watcher.pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    execl(binary.c_str(), binary.c_str(), "watch", "--output", watcher.events.c_str(), "--lock-file",
          (dir + "/watch.lock").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200 && ReadAll(watcher.events).empty(); ++i) usleep(10'000);
  return watcher;
}

void StopWatch(Watcher& watcher) {
  kill(watcher.pid, SIGTERM);
  waitpid(watcher.pid, nullptr, 0);
}

// Waits until the events file has stopped growing for 500 ms; when it last grew (to 20 ms).
Clock::time_point WaitQuiet(const std::string& path) {
  long last = -1;
  Clock::time_point grew = Clock::now();
  for (int quiet = 0; quiet < 25;) {
    usleep(20'000);
    const long size = static_cast<long>(ReadAll(path).size());
    quiet = size == last ? quiet + 1 : 0;
    if (size != last) grew = Clock::now();
    last = size;
  }
  return grew;
}

// The anchor: a bare reader counting seccomp records of the stormers while they storm.
long BareReaderCount(int processes, long calls, double* storm_seconds, uint64_t* overflows) {
  auto stream = sysfence::os::AuditStream::Open();
  if (!stream.ok()) return -1;
  std::atomic<bool> done{false};
  long count = 0;
  std::thread reader([&] {
    pollfd fd{stream->fd(), POLLIN, 0};
    int idle = 0;
    while (idle < 5) {
      if (poll(&fd, 1, 100) <= 0) {
        idle += done ? 1 : 0;
        continue;
      }
      idle = 0;
      (void)stream->Drain([&](uint16_t type, std::string_view text) {
        if (type == sysfence::os::kAuditTypeSeccomp && text.find("comm=\"wb_storm\"") != std::string_view::npos) ++count;
      });
    }
  });
  *storm_seconds = Storm(processes, calls);
  done = true;
  reader.join();
  *overflows = stream->lost_overflows();
  return count;
}

void Throughput(const std::string& binary, const std::string& dir, long calls, const char* backlog_label) {
  std::printf("\n-- storm: N processes x %ld denied calls each; audit backlog %s\n", calls, backlog_label);
  std::printf("%3s %9s | %9s %7s %9s %8s %12s | %9s %9s %6s\n", "N", "calls", "events", "lost", "events/s",
              "storm s", "CPU ms/1000", "bare", "bare/s", "ratio");
  for (int processes : {1, 2, 4, 8}) {
    const long total = processes * calls;
    double bare_seconds = 0;
    uint64_t bare_overflows = 0;
    const long bare = BareReaderCount(processes, calls, &bare_seconds, &bare_overflows);
    Watcher watcher = StartWatch(binary, dir);
    const double cpu_before = CpuSeconds(watcher.pid);
    const auto storm_start = Clock::now();
    const double storm_seconds = Storm(processes, calls);
    // Events per second from the storm's start to the last event written (the watcher may still
    // be draining when the stormers are done).
    const double delivery_seconds = std::chrono::duration<double>(WaitQuiet(watcher.events) - storm_start).count();
    const double cpu = CpuSeconds(watcher.pid) - cpu_before;
    StopWatch(watcher);
    long events = 0, lost = 0;
    CountEvents(watcher.events, &events, &lost);
    const double rate = static_cast<double>(events) / std::max(storm_seconds, delivery_seconds);
    const double bare_rate = static_cast<double>(bare) / bare_seconds;
    std::printf("%3d %9ld | %9ld %7ld %9.0f %8.2f %12.2f | %9ld %9.0f %6.2f\n", processes, total, events, lost, rate,
                storm_seconds, events > 0 ? cpu * 1e6 / static_cast<double>(events) : 0.0, bare, bare_rate,
                bare_rate > 0 ? rate / bare_rate : 0.0);
  }
}

void Memory(const std::string& binary, const std::string& dir, double seconds) {
  std::printf("\n-- memory over a %.0f s storm (4 processes at full speed)\n", seconds);
  Watcher watcher = StartWatch(binary, dir);
  std::vector<pid_t> stormers;
  for (int i = 0; i < 4; ++i) stormers.push_back(Stormer(0, seconds));
  std::vector<long> samples;
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    sleep(1);
    samples.push_back(StatusKb(watcher.pid, "VmRSS"));
    // Rotate the file now and then, as logrotate would, so the disk does not fill.
    if (samples.size() % 10 == 0) {
      std::rename(watcher.events.c_str(), (watcher.events + ".old").c_str());
      kill(watcher.pid, SIGHUP);
    }
  }
  for (pid_t stormer : stormers) waitpid(stormer, nullptr, 0);
  const long peak = StatusKb(watcher.pid, "VmHWM");
  StopWatch(watcher);
  long early_peak = 0;
  for (size_t i = 0; i < std::max<size_t>(1, samples.size() / 4); ++i) early_peak = std::max(early_peak, samples[i]);
  std::printf("RSS samples (KiB):");
  for (size_t i = 0; i < samples.size(); i += std::max<size_t>(1, samples.size() / 10)) std::printf(" %ld", samples[i]);
  std::printf("\nfirst-quarter peak %ld KiB, last %ld KiB, high-water mark %ld KiB: %s\n", early_peak,
              samples.empty() ? 0 : samples.back(), peak,
              !samples.empty() && samples.back() <= early_peak + 1024 ? "bounded" : "GREW");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || geteuid() != 0) {
    std::fprintf(stderr, "usage (root): watch_bench SYSFENCE_BINARY [--calls M] [--long SECONDS]\n");
    return 2;
  }
  const std::string binary = argv[1];
  long calls = 20000;
  double long_seconds = 60;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--long") == 0) long_seconds = std::atof(argv[i + 1]);
  }
  char dir_template[] = "/tmp/watch_bench.XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  auto status = sysfence::os::GetAuditStatus();
  if (!status.ok()) {
    std::fprintf(stderr, "watch_bench: %s\n", status.error().message.c_str());
    return 3;
  }
  const uint32_t backlog = status->backlog_limit;
  std::printf("watch_bench: kernel audit enabled=%u backlog_limit=%u rate_limit=%u lost=%u\n", status->enabled,
              backlog, status->rate_limit, status->lost);
  Throughput(binary, dir, calls, std::to_string(backlog).c_str());
  sysfence::os::AuditSettings raised;
  raised.backlog_limit = 8192;
  if (sysfence::os::SetAuditSettings(raised).ok()) {
    Throughput(binary, dir, calls, "8192");
    sysfence::os::AuditSettings restore;
    restore.backlog_limit = backlog;
    (void)sysfence::os::SetAuditSettings(restore);
  }
  Memory(binary, dir, long_seconds);
  std::system(("rm -rf " + dir).c_str());
  return 0;
}
