// SPDX-License-Identifier: Apache-2.0
// The loop on real programs, measured (docs/record.md, "The loop, measured"): per program, record
// work A, monitor work B under that policy and merge the events until a monitored run of A and B
// adds nothing; then time A and B natively and under the converged policy in enforce mode (median
// wall time of --repeat runs, each in a fresh folder) and print allowed syscalls, conditional
// rules, rounds and the enforce/native ratio. The workloads are those of tests/e2e/loop_e2e_test.cc.
//
// Usage: loop_bench SYSFENCE [--repeat R] [--cpu]   (as root: enforce mode reads the kernel's audit
// records). --cpu times the CPU (user + system) of the whole tree, sysfence included, instead of
// wall time: steadier on a shared machine.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Program {
  const char* name;
  std::string a;
  std::string b;
};

const std::string kGitSetup =
    "export HOME=\"$PWD\" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' "
    "GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'; git init -q repo && cd repo && "
    "for i in 1 2 3; do echo $i > f$i; done && git add . && "
    "git -c user.name=t -c user.email=t@example.com commit -q -m first";

const Program kPrograms[] = {
    {"git", kGitSetup + " && git log --format='%H %s'",
     kGitSetup + " && seq 1 5000 > big && git add big && git -c user.name=t -c user.email=t@example.com commit -q -m "
                 "second && git -c pack.threads=4 repack -q -a -d -f && git count-objects -v | grep in-pack && "
                 "git -c grep.threads=4 grep -c 7 HEAD -- big"},
    {"sqlite3", "sqlite3 db 'create table t(a); insert into t values (1),(2),(3); select sum(a) from t;'",
     "sqlite3 db 'pragma journal_mode=wal; create table t(a, b); with recursive n(i) as (select 1 union all select "
     "i + 1 from n where i < 2000) insert into t select i, hex(randomblob(8)) from n; create index ib on t(b); "
     "select count(*), sum(a) from t; delete from t where a % 2 = 0; vacuum; select count(*) from t;'"},
    {"xz", "seq 1 20000 > d && xz -T1 -k d && xz -T1 -dc d.xz | md5sum",
     "seq 1 400000 > d && xz -T4 --block-size=200000 -k d && xz -T4 -dc d.xz | md5sum"},
    {"tar", "mkdir t && seq 1 1000 > t/a && tar czf o.tgz t && tar tzf o.tgz",
     "mkdir t && seq 1 100000 > t/a && ln -s a t/l && tar cJf o.txz t && mkdir x && tar xJf o.txz -C x && "
     "cmp t/a x/t/a && tar tJf o.txz | sort"},
    {"python3", "/usr/bin/python3 -c 'import json; print(json.dumps([1, 2]))'",
     "/usr/bin/python3 -c 'import concurrent.futures as f, hashlib; print(sum(f.ThreadPoolExecutor(4).map("
     "lambda i: len(hashlib.sha256(bytes(i)).hexdigest()), range(200))))'"},
};

fs::path g_dir;
int g_serial = 0;
bool g_cpu_time = false;  // --cpu: measure CPU time (user + system) of the tree instead of wall time

// Runs argv, followed by `sh -c "cd FRESH && script"` unless `script` is empty, with output to
// /dev/null; returns (status, seconds).
std::pair<int, double> Run(std::vector<std::string> argv, const std::string& script) {
  const fs::path work = g_dir / ("w" + std::to_string(++g_serial));
  fs::create_directories(work);
  if (!script.empty()) argv.insert(argv.end(), {"/bin/sh", "-c", "cd '" + work.string() + "' && " + script});
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage usage {};
  wait4(pid, &status, 0, &usage);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fs::remove_all(work);
  // CPU time of the whole tree (user + system): on a shared machine less noisy than wall time.
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), g_cpu_time ? cpu : wall};
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` without the spaces the canonical printer puts around '|' (a merged policy is reprinted).
std::string Unspaced(std::string text) {
  for (size_t at = text.find(" | "); at != std::string::npos; at = text.find(" | ", at)) text.replace(at, 3, "|");
  return text;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: loop_bench SYSFENCE [--repeat R]\n");
    return 2;
  }
  const std::string sysfence = fs::absolute(argv[1]).string();
  int repeat = 5;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    if (std::string(argv[i]) == "--cpu") g_cpu_time = true;
  }
  g_dir = fs::temp_directory_path() / ("sysfence-loop-bench-" + std::to_string(getpid()));
  fs::create_directories(g_dir);
  std::printf("%s time, median of %d\n", g_cpu_time ? "CPU (user + system)" : "wall", repeat);
  std::printf("%-8s %8s %12s %7s %12s %12s %7s %12s %12s %7s\n", "program", "allowed", "conditional", "rounds",
              "A native s", "A enforce s", "ratio", "B native s", "B enforce s", "ratio");
  for (const Program& program : kPrograms) {
    fs::path policy = g_dir / (std::string(program.name) + "-1.sfp");
    if (Run({sysfence, "record", "-q", "-o", policy.string(), "--"}, program.a).first != 0) {
      std::fprintf(stderr, "%s: recording failed\n", program.name);
      return 1;
    }
    int rounds = 0;
    for (int round = 1; round <= 3; ++round) {
      std::vector<std::string> merge = {sysfence, "merge", "-q", policy.string()};
      for (const std::string* work : {&program.a, &program.b}) {
        const fs::path events = g_dir / (std::string(program.name) + "-" + std::to_string(round) +
                                         (work == &program.a ? "a" : "b") + ".jsonl");
        Run({sysfence, "run", "-q", "--monitor", "--policy", policy.string(), "--events", events.string(), "--"}, *work);
        merge.push_back(events.string());
      }
      const fs::path next = g_dir / (std::string(program.name) + "-" + std::to_string(round + 1) + ".sfp");
      merge.insert(merge.end(), {"-o", next.string()});
      Run(merge, "");
      const bool changed = Unspaced(ReadAll(next)) != Unspaced(ReadAll(policy));
      policy = next;
      if (!changed) break;
      rounds = round;
    }
    const std::string text = ReadAll(policy);
    std::set<std::string> allowed;
    size_t conditional = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("allow ", 0) != 0) continue;
      std::istringstream words(line.substr(6));
      for (std::string word; words >> word && word != "if" && word != "on";) allowed.insert(word);
      conditional += line.find(" if ") != std::string::npos;
    }
    double seconds[2][2];  // [work][native, enforce]
    for (int w = 0; w < 2; ++w) {
      const std::string& work = w == 0 ? program.a : program.b;
      std::vector<double> native, enforced;
      for (int i = 0; i < repeat; ++i) {
        native.push_back(Run({}, work).second);
        enforced.push_back(Run({sysfence, "run", "-q", "--policy", policy.string(), "--"}, work).second);
      }
      seconds[w][0] = Median(native);
      seconds[w][1] = Median(enforced);
    }
    std::printf("%-8s %8zu %12zu %7d %12.3f %12.3f %7.2f %12.3f %12.3f %7.2f\n", program.name, allowed.size(), conditional,
                rounds, seconds[0][0], seconds[0][1], seconds[0][1] / seconds[0][0], seconds[1][0], seconds[1][1],
                seconds[1][1] / seconds[1][0]);
  }
  if (std::getenv("LOOP_BENCH_KEEP") == nullptr) fs::remove_all(g_dir);
  return 0;
}
