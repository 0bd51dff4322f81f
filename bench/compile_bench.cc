// SPDX-License-Identifier: Apache-2.0
// Compile benchmark: the same policies compiled by sysfence and by libseccomp 2.5.x
// (SCMP_FLTATR_CTL_OPTIMIZE 1 and 2), measured in one run: program length, worst and mean
// instructions executed over the first ABI's syscall numbers (0..459 on x86_64, as the anchors in
// docs/performance.md), numbers where sysfence's path is longer than libseccomp's, compile time
// (median of repeated runs; libseccomp's includes exporting the program) and cacheable allows.
//
// Usage: compile_bench [PROFILE.json]   (default: tests/data/moby-default.json of the source tree)
// COMPILE_BENCH_VERBOSE=1 lists the numbers where sysfence's path is longer.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "inspect/cache_analysis.h"
#include "bpf/evaluator.h"
#include "codegen/compile.h"
#include "inspect/stats.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "ir/build.h"
#include "syscalls/syscalls.h"
#include "tests/differential/libseccomp_filter.h"

namespace sysfence {
namespace {

using differential::LibseccompOptimize;

struct Row {
  std::string compiler;
  size_t length = 0;
  size_t worst = 0;
  double mean = 0;
  size_t longer = 0;  // numbers whose path is longer than sysfence's (for libseccomp rows: n/a)
  double micros = 0;
  size_t cacheable = 0;
  size_t allows = 0;
};

double MedianMicros(const std::function<void()>& fn, int reps) {
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Syscalls of the first ABI that the policy allows unconditionally, and how many of them `program`
// lets the kernel cache.
void CountAllows(const policy::Policy& policy, const bpf::Program& program, Row& row) {
  auto ir = ir::BuildIr(policy);
  if (!ir.ok()) return;
  const ir::ArchTable& table = ir->tables.front();
  for (const auto& entry : syscalls::AllOf(table.arch)) {
    const ir::Node& node = ir->nodes[ir::Ir::Lookup(table, entry.number)];
    if (!node.is_leaf || node.outcome.action != Action::Allow()) continue;
    ++row.allows;
    if (inspect::IsConstantAllow(program, GetArchInfo(table.arch).audit_arch, static_cast<int32_t>(entry.number))) {
      ++row.cacheable;
    }
  }
}

void Measure(const std::string& title, const policy::Policy& policy, uint32_t last_nr, int reps) {
  const Arch arch = policy.arches.front();
  const uint32_t first_nr = GetArchInfo(arch).nr_bias;
  std::vector<Row> rows;
  std::vector<bpf::Program> programs;

  auto ours = codegen::Compile(policy);
  if (!ours.ok()) {
    std::printf("%s: sysfence failed: %s\n", title.c_str(), ours.error().message.c_str());
    return;
  }
  Row ours_row{"sysfence"};
  ours_row.micros = MedianMicros([&] { (void)codegen::Compile(policy); }, reps);
  programs.push_back(*ours);
  rows.push_back(ours_row);
  for (auto level : {LibseccompOptimize::kBinaryTree, LibseccompOptimize::kPriority}) {
    auto theirs = differential::CompileWithLibseccomp(policy, level, true);
    if (!theirs.ok()) {
      std::printf("%s: libseccomp failed: %s\n", title.c_str(), theirs.error().message.c_str());
      return;
    }
    Row row{level == LibseccompOptimize::kBinaryTree ? "libseccomp -O2" : "libseccomp -O1"};
    row.micros = MedianMicros([&] { (void)differential::CompileWithLibseccomp(policy, level, true); },
                              std::max(3, reps / 10));
    programs.push_back(*theirs);
    rows.push_back(row);
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const inspect::PathStats paths = inspect::MeasurePaths(programs[i], arch, first_nr, last_nr);
    rows[i].length = programs[i].size();
    rows[i].worst = paths.worst;
    rows[i].mean = paths.mean;
    CountAllows(policy, programs[i], rows[i]);
  }
  // Numbers where sysfence executes more instructions than each libseccomp program.
  bpf::SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  for (size_t i = 1; i < rows.size(); ++i) {
    for (uint64_t nr = first_nr; nr <= last_nr; ++nr) {
      data.nr = static_cast<int32_t>(static_cast<uint32_t>(nr));
      const size_t ours_path = bpf::Evaluate(programs[0], data)->executed;
      const size_t theirs_path = bpf::Evaluate(programs[i], data)->executed;
      if (ours_path > theirs_path) {
        ++rows[i].longer;
        if (std::getenv("COMPILE_BENCH_VERBOSE") != nullptr) {
          std::printf("  nr %u: sysfence %zu, %s %zu\n", static_cast<uint32_t>(nr), ours_path,
                      rows[i].compiler.c_str(), theirs_path);
        }
      }
    }
  }

  std::printf("\n%s (%s, numbers %u..%u)\n", title.c_str(), std::string(ArchName(arch)).c_str(), first_nr, last_nr);
  std::printf("| compiler | length | worst path | mean path | compile time | cacheable allows | numbers where sysfence is longer |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const Row& r : rows) {
    std::printf("| %s | %zu | %zu | %.1f | %.1f us | %zu / %zu | %s |\n", r.compiler.c_str(), r.length, r.worst,
                r.mean, r.micros, r.cacheable, r.allows,
                r.compiler == "sysfence" ? "-" : std::to_string(r.longer).c_str());
  }
  for (size_t i = 1; i < rows.size(); ++i) {
    std::printf("sysfence vs %s: length x%.2f, worst x%.2f, mean x%.2f, compile %.1fx faster\n",
                rows[i].compiler.c_str(), static_cast<double>(rows[0].length) / static_cast<double>(rows[i].length),
                static_cast<double>(rows[0].worst) / static_cast<double>(rows[i].worst), rows[0].mean / rows[i].mean,
                rows[i].micros / rows[0].micros);
  }
}

policy::Rule MakeRule(Action action, std::vector<std::string> targets) {
  policy::Rule rule;
  rule.action = action;
  rule.targets = std::move(targets);
  return rule;
}

// Every other x86_64 syscall allowed, the rest answered with one of 40 errnos: many ranges.
policy::Policy Checkerboard() {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  const auto table = syscalls::AllOf(Arch::kX86_64);
  for (size_t i = 0; i < table.size(); ++i) {
    const std::string name(table[i].name);
    if (!differential::LibseccompAgreesOnSyscall(name, p.arches)) continue;
    p.rules.push_back(MakeRule(i % 2 == 0 ? Action::Allow() : Action::Errno(static_cast<uint16_t>(2 + i % 40)), {name}));
  }
  return p;
}

// 40 syscalls with argument filters (ioctl with 200 allowed commands, flag masks, 64-bit ranges).
policy::Policy ArgumentHeavy() {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  auto compare = [](int arg, policy::CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
    policy::Condition c;
    c.compare = {arg, op, value, mask};
    return c;
  };
  for (uint64_t cmd = 0; cmd < 200; ++cmd) {
    policy::Rule r = MakeRule(Action::Allow(), {"ioctl"});
    r.condition = compare(1, policy::CompareOp::kEq, 0x5400 + cmd * 3);
    p.rules.push_back(r);
  }
  const char* names[] = {"mmap", "mprotect", "openat", "fcntl", "lseek", "pread64", "pwrite64", "madvise",
                         "prctl", "kill", "tgkill", "futex", "clone", "socket", "setsockopt", "getsockopt",
                         "sendto", "recvfrom", "read", "write", "close", "dup3", "fstat", "newfstatat",
                         "getrandom", "clock_nanosleep", "epoll_ctl", "eventfd2", "pipe2", "wait4",
                         "unlinkat", "renameat2", "mkdirat", "fchmodat", "fchownat", "linkat", "symlinkat",
                         "readlinkat", "faccessat2"};
  int i = 0;
  for (const char* name : names) {
    policy::Rule r = MakeRule(Action::Allow(), {name});
    switch (i++ % 4) {
      case 0: r.condition = compare(2, policy::CompareOp::kMaskedEq, 0, 0x4); break;
      case 1: r.condition = compare(0, policy::CompareOp::kLt, 0x1000); break;
      case 2: r.condition = compare(1, policy::CompareOp::kGe, 0x100000000ull); break;
      default: break;
    }
    p.rules.push_back(r);
  }
  return p;
}

}  // namespace
}  // namespace sysfence

int main(int argc, char** argv) {
  using namespace sysfence;
  const std::string path = argc > 1 ? argv[1] : std::string(SYSFENCE_SOURCE_DIR) + "/tests/data/moby-default.json";
  Diagnostics diagnostics;
  auto moby = formats::LoadPolicyFile(path, {}, diagnostics);
  if (!moby) {
    std::fprintf(stderr, "cannot load %s\n", path.c_str());
    return 2;
  }
  std::printf("sysfence compile benchmark; times are medians; libseccomp's include building its context "
              "and exporting the program\n");
  policy::Policy moby64 = *moby;
  moby64.arches = {Arch::kX86_64};
  Measure("moby default, x86_64 only, no capabilities", moby64, 459, 2000);
  Measure("moby default, its ABIs (x86_64, x86, x32), no capabilities", *moby, 459, 1000);
  Measure("synthetic: checkerboard of allow / 40 errnos", Checkerboard(), 459, 500);
  Measure("synthetic: 240 argument rules over 40 syscalls", ArgumentHeavy(), 459, 500);
  return 0;
}
