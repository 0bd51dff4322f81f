// SPDX-License-Identifier: Apache-2.0
// record_bench: the recorders against native and strace, in one run. For each workload — the
// syscall loop (record_loop, ≈2.1 M calls) and real ones (tar of /usr/include, find /usr) — it
// times: native, `sysfence record` with each backend, `strace -f -c`, `strace -f -c --seccomp-bpf`,
// and prints seconds and the ratio to native. Usage: record_bench SYSFENCE RECORD_LOOP [rounds].
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double TimeCommand(const std::vector<std::string>& argv) {
  std::fflush(stdout);  // or the child's freopen would write our buffered lines again
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1)) return -1;
  return seconds;
}

void Row(const char* name, double seconds, double native) {
  if (seconds < 0) {
    std::printf("  %-34s %9s\n", name, "failed");
  } else {
    std::printf("  %-34s %9.3f s %9.1fx native\n", name, seconds, seconds / native);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: record_bench SYSFENCE RECORD_LOOP [rounds]\n");
    return 2;
  }
  const std::string sysfence = argv[1];
  const std::string rounds = argc > 3 ? argv[3] : "1000000";
  const std::vector<std::pair<std::string, std::vector<std::string>>> workloads = {
      {"loop (" + rounds + " rounds)", {argv[2], rounds}},
      {"tar -cf /dev/null /usr/include", {"tar", "-cf", "/dev/null", "/usr/include"}},
      {"find /usr", {"find", "/usr"}},
  };
  for (const auto& [name, command] : workloads) {
    std::printf("%s\n", name.c_str());
    TimeCommand(command);  // untimed: warms the page cache, so native is not charged a cold start
    const double native = TimeCommand(command);
    Row("native", native, native);
    for (const char* backend : {"ebpf", "unotify", "ptrace"}) {
      std::vector<std::string> argv_record = {sysfence, "record", "-q", "-o", "/dev/null", "--backend", backend, "--"};
      argv_record.insert(argv_record.end(), command.begin(), command.end());
      Row((std::string("sysfence record --backend ") + backend).c_str(), TimeCommand(argv_record), native);
    }
    // ptrace launches are pinned to one CPU by default; this is the unpinned alternative.
    std::vector<std::string> unpinned = {sysfence, "record", "-q", "--no-pin", "-o", "/dev/null", "--backend", "ptrace", "--"};
    unpinned.insert(unpinned.end(), command.begin(), command.end());
    Row("sysfence record --backend ptrace --no-pin", TimeCommand(unpinned), native);
    std::vector<std::string> strace = {"strace", "-f", "-c", "-o", "/dev/null"};
    strace.insert(strace.end(), command.begin(), command.end());
    Row("strace -f -c", TimeCommand(strace), native);
    // strace on one CPU too, so the pinned ptrace backend is compared with a pinned strace.
    std::vector<std::string> strace_pinned = {"taskset", "-c", "0", "strace", "-f", "-c", "-o", "/dev/null"};
    strace_pinned.insert(strace_pinned.end(), command.begin(), command.end());
    Row("taskset -c 0 strace -f -c", TimeCommand(strace_pinned), native);
    std::vector<std::string> strace_bpf = {"strace", "-f", "-c", "--seccomp-bpf", "-o", "/dev/null"};
    strace_bpf.insert(strace_bpf.end(), command.begin(), command.end());
    Row("strace -f -c --seccomp-bpf", TimeCommand(strace_bpf), native);
  }
  return 0;
}
