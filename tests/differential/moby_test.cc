// SPDX-License-Identifier: Apache-2.0
// Docker's default profile (tests/data/moby-default.json): our filter against libseccomp's on every
// syscall number 0..1023 of each ABI the profile lists (x32 included) with random arguments, and
// the targets for x86_64 without capabilities.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "bpf/evaluator.h"
#include "codegen/compile.h"
#include "codegen/stats.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"
#include "tests/differential/libseccomp_filter.h"
#include "tests/support/test_paths.h"

namespace sysfence::differential {
namespace {

policy::Policy LoadMoby() {
  const std::string path = sysfence::test_paths::SourceDir() + "/tests/data/moby-default.json";
  Diagnostics diagnostics;
  auto policy = formats::LoadPolicyFile(path, {}, diagnostics);
  EXPECT_TRUE(policy.has_value()) << "cannot load " << path;
  return policy.value_or(policy::Policy{});
}

// Numbers whose syscall libseccomp 2.5.4 does not know (newer than its tables) are left out of
// its filter, so only the others compare.
bool ComparableNumber(Arch arch, uint32_t nr) {
  const auto name = syscalls::NameOf(arch, nr);
  const Arch one[] = {arch};
  return !name || LibseccompAgreesOnSyscall(*name, one);
}

const bpf::Program& Checked(const Result<bpf::Program>& program) {
  EXPECT_TRUE(program.ok()) << (program.ok() ? "" : program.error().message);
  static const bpf::Program kEmpty;
  return program.ok() ? *program : kEmpty;
}

TEST(MobyDifferentialTest, SameDecisionsAsLibseccompOnEveryNumber) {
  const policy::Policy p = LoadMoby();
  ASSERT_FALSE(p.arches.empty());
  auto ours_result = codegen::Compile(p);
  auto theirs_result = CompileWithLibseccomp(p, LibseccompOptimize::kBinaryTree, true);
  const bpf::Program& ours = Checked(ours_result);
  const bpf::Program& theirs = Checked(theirs_result);
  ASSERT_FALSE(ours.empty() || theirs.empty());
  std::mt19937_64 rng(7);
  size_t compared = 0;
  for (Arch arch : p.arches) {
    const uint32_t bias = GetArchInfo(arch).nr_bias;
    for (uint32_t n = 0; n < 1024; ++n) {
      bpf::SeccompData d;
      d.arch = GetArchInfo(arch).audit_arch;
      d.nr = static_cast<int32_t>(bias + n);
      if (!ComparableNumber(arch, bias + n)) continue;
      for (int round = 0; round < 4; ++round) {
        for (uint64_t& a : d.args) a = round == 0 ? 0 : (rng() % 3 == 0 ? rng() : rng() & 0x7fffffff);
        // libseccomp compares all 64 bits even of 32-bit arguments: keep the high halves zero.
        if (!GetArchInfo(arch).is_64bit || round % 2 == 1) {
          for (uint64_t& a : d.args) a &= 0xffffffffu;
        }
        // personality(0xffffffff) and the like: libseccomp's 64-bit compare on a 32-bit argument.
        auto want = bpf::Evaluate(theirs, d);
        auto got = bpf::Evaluate(ours, d);
        ASSERT_TRUE(want.ok() && got.ok());
        ASSERT_EQ(got->value, want->value) << ArchName(arch) << " nr " << n << " arg0 0x" << std::hex << d.args[0]
                                           << " arg1 0x" << d.args[1];
        ASSERT_EQ(got->value, policy::Evaluate(p, d).action.ToSeccompRet());
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 3u * 900 * 4);
}

TEST(MobyDifferentialTest, MeetsTheTargetsOnX86_64WithoutCapabilities) {
  policy::Policy p = LoadMoby();
  p.arches = {Arch::kX86_64};
  auto ours_result = codegen::Compile(p);
  auto theirs_result = CompileWithLibseccomp(p, LibseccompOptimize::kBinaryTree, true);
  const bpf::Program& ours = Checked(ours_result);
  const bpf::Program& theirs = Checked(theirs_result);
  ASSERT_FALSE(ours.empty() || theirs.empty());
  EXPECT_LT(ours.size(), 414u);
  EXPECT_LT(ours.size(), theirs.size());
  // Never a longer path than libseccomp's, number by number.
  for (uint32_t nr = 0; nr < 1024; ++nr) {
    bpf::SeccompData d;
    d.arch = GetArchInfo(Arch::kX86_64).audit_arch;
    d.nr = static_cast<int32_t>(nr);
    if (!ComparableNumber(Arch::kX86_64, nr)) continue;
    ASSERT_LE(bpf::Evaluate(ours, d)->executed, bpf::Evaluate(theirs, d)->executed) << "nr " << nr;
  }
  const codegen::PathStats paths = codegen::MeasurePaths(ours, Arch::kX86_64, 0, 459);
  EXPECT_LE(paths.mean, 10.0);
  const codegen::PathStats reference = codegen::MeasurePaths(theirs, Arch::kX86_64, 0, 459);
  EXPECT_LE(paths.worst, reference.worst);
  const codegen::CompileStats stats = codegen::ComputeStats(ours, p);
  EXPECT_GT(stats.allows, 300u);
  EXPECT_EQ(stats.cacheable_allows, stats.allows);
}

}  // namespace
}  // namespace sysfence::differential
