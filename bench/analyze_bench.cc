// SPDX-License-Identifier: Apache-2.0
// analyze_bench: time and peak memory of `sysfence analyze` on Debian programs, with a cold
// library cache (every module disassembled and stored) and a warm one (every module read back),
// against an anchor: GNU objdump disassembling the same modules (binutils, a plain linear sweep
// with no analysis). Each run is a fresh process (fork), so peak RSS is that run's own.
// Usage: analyze_bench [rounds] [program...]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "analyze/program_analysis.h"

namespace {

struct Run {
  double seconds = -1;
  double cpu_seconds = 0;  // user + system: steadier than wall time on a shared machine
  long max_rss_kib = 0;
  size_t syscalls = 0;
  std::vector<std::string> modules;
};

// Runs one analysis in a child process; the child reports the syscall count and modules via a pipe.
Run AnalyzeOnce(const std::string& program, const std::string& cache) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    sysfence::analyze::AnalyzeOptions options;
    options.cache_folder = cache;
    auto analysis = sysfence::analyze::AnalyzeProgram(program, options);
    std::string report = analysis.ok() ? std::to_string(analysis->syscalls.size()) : "-1";
    if (analysis.ok()) {
      for (const auto& m : analysis->modules) report += "\n" + m.path;
    }
    if (write(fds[1], report.data(), report.size()) < 0) _exit(1);
    _exit(analysis.ok() ? 0 : 1);
  }
  close(fds[1]);
  std::string report;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  Run run;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.max_rss_kib = usage.ru_maxrss;
  run.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  size_t line = report.find('\n');
  run.syscalls = std::strtoul(report.substr(0, line).c_str(), nullptr, 10);
  while (line != std::string::npos) {
    const size_t next = report.find('\n', line + 1);
    run.modules.push_back(report.substr(line + 1, next == std::string::npos ? std::string::npos : next - line - 1));
    line = next;
  }
  return run;
}

double ObjdumpSeconds(const std::vector<std::string>& modules) {
  std::string command = "objdump -d --no-show-raw-insn";
  for (const std::string& m : modules) command += " '" + m + "'";
  command += " > /dev/null 2>&1";
  const auto start = std::chrono::steady_clock::now();
  if (std::system(command.c_str()) != 0) return -1;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 3;
  if (rounds < 1) rounds = 1;
  std::vector<std::string> programs;
  for (int i = 2; i < argc; ++i) programs.push_back(argv[i]);
  if (programs.empty()) programs = {"/usr/bin/ls", "/usr/bin/gzip", "/usr/bin/curl", "/usr/bin/git", "/usr/bin/python3.11"};
  const std::string cache = std::filesystem::temp_directory_path() / ("sysfence-analyze-bench-" + std::to_string(getpid()));
  std::printf("%-22s %5s %9s %9s %9s %9s %9s %9s %10s %10s %8s\n", "program", "calls", "cold s", "warm s", "cold cpu",
              "warm cpu", "objdump s", "cold/warm", "cold MiB", "warm MiB", "modules");
  for (const std::string& program : programs) {
    Run best_cold, best_warm;
    for (int r = 0; r < rounds; ++r) {
      std::filesystem::remove_all(cache);
      const Run cold = AnalyzeOnce(program, cache);
      const Run warm = AnalyzeOnce(program, cache);
      if (cold.seconds < 0 || warm.seconds < 0) break;
      if (best_cold.seconds < 0 || cold.seconds < best_cold.seconds) best_cold = cold;
      if (best_warm.seconds < 0 || warm.seconds < best_warm.seconds) best_warm = warm;
    }
    if (best_cold.seconds < 0) {
      std::printf("%-22s failed\n", program.c_str());
      continue;
    }
    const double objdump = ObjdumpSeconds(best_cold.modules);
    std::printf("%-22s %5zu %9.3f %9.3f %9.3f %9.3f %9.3f %8.1fx %10.1f %10.1f %8zu\n", program.c_str(),
                best_cold.syscalls, best_cold.seconds, best_warm.seconds, best_cold.cpu_seconds, best_warm.cpu_seconds,
                objdump, best_cold.cpu_seconds / best_warm.cpu_seconds,
                best_cold.max_rss_kib / 1024.0, best_warm.max_rss_kib / 1024.0, best_cold.modules.size());
  }
  std::filesystem::remove_all(cache);
  return 0;
}
