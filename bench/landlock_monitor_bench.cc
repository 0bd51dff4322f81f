// SPDX-License-Identifier: Apache-2.0
// What monitor mode's observation of fs rules costs (docs/performance.md, "Landlock in monitor
// mode"): a loop of openat+close on one file, timed inside the program, under
//
//   native                          no sysfence
//   monitor, no fs rules            `run --monitor`: the opens are allowed, nothing is notified
//   monitor, openat notified (log)  a `log openat` rule: every openat is notified and answered,
//                                   with no judging (the notification round trip alone)
//   monitor, fs observed (allowed)  `run --monitor` with fs rules granting the file: every openat
//                                   is notified, resolved and judged, nothing is reported
//   monitor, fs observed (denied)   the same, the file outside the rules: judged and counted
//   monitor --landlock-enforce      the kernel's Landlock enforces the rules, no observation
//   enforce                         `run` (the kernel's Landlock), the file granted
//
// and prints ns per open and the ratios against plain monitor mode.
//
// Usage: landlock_monitor_bench SYSFENCE [--opens N] [--repeat R]
// The binary re-executes itself ("--child N PATH") as the program under test.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// The program under test: N opens of PATH; prints the ns per open.
int ChildLoop(long opens, const char* path) {
  const int64_t start = NowNs();
  for (long i = 0; i < opens; ++i) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 2;
    close(fd);
  }
  std::printf("%.1f\n", static_cast<double>(NowNs() - start) / static_cast<double>(opens));
  return 0;
}

// Runs argv, returns what it printed on stdout (the child's ns per open) or -1.
double RunTimed(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[256];
  ssize_t got = 0;
  while ((got = read(out[0], buffer, sizeof(buffer))) > 0) text.append(buffer, static_cast<size_t>(got));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty()) return -1;
  return std::strtod(text.c_str(), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--child") == 0) return ChildLoop(std::atol(argv[2]), argv[3]);
  if (argc < 2) {
    std::fprintf(stderr, "usage: landlock_monitor_bench SYSFENCE [--opens N] [--repeat R]\n");
    return 2;
  }
  const std::string sysfence = argv[1];
  long opens = 200000;
  int repeat = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--opens") == 0) opens = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  char self[4096] = {};
  if (readlink("/proc/self/exe", self, sizeof(self) - 1) <= 0) return 3;
  char dir_template[] = "/tmp/sf-llbench-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string inside = dir + "/in/file";
  const std::string outside = dir + "/out/file";
  std::system(("mkdir -p " + dir + "/in " + dir + "/out && touch " + inside + " " + outside).c_str());
  const std::string plain = dir + "/plain.sfp";
  const std::string fs = dir + "/fs.sfp";
  const std::string logged = dir + "/log.sfp";
  std::ofstream(plain) << "arch x86_64\ndefault allow\n";
  std::ofstream(logged) << "arch x86_64\ndefault allow\nlog openat\n";
  std::ofstream(fs) << "arch x86_64\ndefault allow\nfs read exec /usr /etc /proc " << self << " " << dir << "/in\n";

  const std::string n = std::to_string(opens);
  struct Variant {
    const char* name;
    std::vector<std::string> argv;
  };
  const std::vector<std::string> loop_in = {self, "--child", n, inside};
  const std::vector<std::string> loop_out = {self, "--child", n, outside};
  auto under = [&](std::vector<std::string> prefix, const std::vector<std::string>& loop) {
    prefix.push_back("--");
    prefix.insert(prefix.end(), loop.begin(), loop.end());
    return prefix;
  };
  const std::vector<Variant> variants = {
      {"native", loop_in},
      {"monitor, no fs rules", under({sysfence, "run", "-q", "--monitor", "--policy", plain}, loop_in)},
      {"monitor, openat notified (log)", under({sysfence, "run", "-q", "--monitor", "--policy", logged}, loop_in)},
      {"monitor, fs observed (allowed)", under({sysfence, "run", "-q", "--monitor", "--policy", fs}, loop_in)},
      {"monitor, fs observed (denied)", under({sysfence, "run", "-q", "--monitor", "--policy", fs}, loop_out)},
      {"monitor --landlock-enforce", under({sysfence, "run", "-q", "--monitor", "--landlock-enforce", "--policy", fs},
                                           loop_in)},
      {"enforce (kernel Landlock)", under({sysfence, "run", "-q", "--policy", fs}, loop_in)},
  };
  std::printf("openat+close of one file, %ld opens, best of %d\n", opens, repeat);
  std::vector<double> best(variants.size(), -1);
  for (size_t v = 0; v < variants.size(); ++v) {
    for (int r = 0; r < repeat; ++r) {
      const double ns = RunTimed(variants[v].argv);
      if (ns > 0 && (best[v] < 0 || ns < best[v])) best[v] = ns;
    }
  }
  const double anchor = best[1];
  for (size_t v = 0; v < variants.size(); ++v) {
    if (best[v] < 0) {
      std::printf("  %-34s failed\n", variants[v].name);
      continue;
    }
    std::printf("  %-34s %9.1f ns/open  x%.2f of plain monitor  x%.2f of native\n", variants[v].name, best[v],
                best[v] / anchor, best[v] / best[0]);
  }
  std::system(("rm -rf " + dir).c_str());
  return 0;
}
