// SPDX-License-Identifier: Apache-2.0
// Inspect benchmarks: decompiling runc's ~1 100-instruction filter (dumped live, tests/data) and
// proving the result equivalent, and a semantic diff of two such filters, against the anchor of
// compiling the same profile (Docker's default, x86_64 + x86 + x32) with sysfence. Medians.
// Run: inspect_bench [SOURCE_DIR]. See docs/performance.md, "Inspect".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "bpf/text_assembler.h"
#include "codegen/compile.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "inspect/decompile.h"
#include "inspect/diff.h"
#include "inspect/lint.h"
#include "policy/printer.h"

namespace {

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

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sysfence;
  const std::string source = argc > 1 ? argv[1] : std::string(SYSFENCE_SOURCE_DIR);
  auto runc = bpf::ParseAssembly(Read(source + "/tests/data/runc-moby-default.asm"));
  Diagnostics diagnostics;
  auto moby = formats::LoadPolicyFile(source + "/tests/data/moby-default.json", {}, diagnostics);
  if (!runc.ok() || !moby) {
    std::fprintf(stderr, "cannot load the fixtures under %s/tests/data\n", source.c_str());
    return 2;
  }
  const auto ours = codegen::Compile(*moby);
  const double compile = MedianMicros([&] { (void)codegen::Compile(*moby); }, 200);
  size_t regions = 0;
  const double decompile = MedianMicros([&] {
    auto result = inspect::Decompile({*runc});
    auto trip = inspect::ProveDecompiled({*runc}, policy::PrintPolicy(result->policy));
    regions = trip->report.regions;
  }, 30);
  size_t diff_regions = 0, differences = 0;
  const double diff = MedianMicros([&] {
    auto d = inspect::DiffStacks({*runc}, {*ours});
    diff_regions = d->regions;
    differences = d->entries.size();
  }, 30);
  const double lint = MedianMicros([&] { (void)inspect::LintStack({*runc}); }, 30);
  std::printf("sysfence inspect benchmark; medians; anchor: compiling Docker's default profile (x86_64, x86, x32)\n");
  std::printf("%-58s %10s %8s\n", "operation", "time", "ratio");
  std::printf("%-58s %8.0f us %8.1f\n", "compile moby-default.json (anchor)", compile, 1.0);
  std::printf("%-58s %8.0f us %8.1f\n",
              ("decompile runc's filter (" + std::to_string(runc->size()) + " insns) + proof, " + std::to_string(regions) +
               " regions").c_str(), decompile, decompile / compile);
  std::printf("%-58s %8.0f us %8.1f\n",
              ("diff runc's filter vs sysfence's (" + std::to_string(ours->size()) + " insns), " +
               std::to_string(diff_regions) + " regions, " + std::to_string(differences) + " entries").c_str(),
              diff, diff / compile);
  std::printf("%-58s %8.0f us %8.1f\n", "lint runc's filter", lint, lint / compile);
  return 0;
}
