// SPDX-License-Identifier: Apache-2.0
// Docker's default profile (tests/data/moby-default.json): our filter against libseccomp's on every
// syscall number 0..1023 of each ABI the profile lists (x32 included) with random arguments; on
// the syscalls with argument rules, at boundary values and at the profile's own constants (read
// from the JSON, not from our importer); a sample run in the kernel itself (the kernel oracle)
// against the BPF evaluator; and the targets for x86_64 without capabilities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bpf/evaluator.h"
#include "codegen/compile.h"
#include "inspect/stats.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"
#include "tests/differential/libseccomp_filter.h"
#include "tests/differential/random_policies.h"
#include "tests/support/kernel_oracle.h"
#include "tests/support/long_jumps.h"
#include "tests/support/test_paths.h"

namespace sysfence::differential {
namespace {

std::string MobyPath() { return sysfence::test_paths::SourceDir() + "/tests/data/moby-default.json"; }

policy::Policy LoadMoby() {
  const std::string path = MobyPath();
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

// The syscalls the profile's rules condition on their arguments, with the indices compared, and
// every `value`/`valueTwo` the profile holds: read from the JSON itself, so a constant our importer
// dropped or mangled is still tried.
struct ArgumentRules {
  std::map<std::string, std::set<int>> indices;
  std::set<uint64_t> constants;
};

ArgumentRules ReadArgumentRules() {
  ArgumentRules out;
  std::ifstream in(MobyPath());
  const nlohmann::json root = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(root.is_object()) << "cannot parse " << MobyPath();
  if (!root.is_object() || !root.contains("syscalls")) return out;
  for (const nlohmann::json& rule : root["syscalls"]) {
    if (!rule.contains("args") || !rule["args"].is_array() || rule["args"].empty()) continue;
    std::vector<std::string> names;
    if (rule.contains("names") && rule["names"].is_array()) {
      for (const auto& name : rule["names"]) names.push_back(name.get<std::string>());
    }
    if (rule.contains("name") && rule["name"].is_string()) names.push_back(rule["name"].get<std::string>());
    for (const nlohmann::json& arg : rule["args"]) {
      const int index = arg.value("index", 0);
      for (const std::string& name : names) out.indices[name].insert(index);
      for (const char* key : {"value", "valueTwo"}) {
        if (arg.contains(key) && arg[key].is_number()) out.constants.insert(arg[key].get<uint64_t>());
      }
    }
  }
  return out;
}

// Argument values to try: the boundaries (0, 0xffffffff, 1<<32, 1<<63, all ones, sign-extended
// negatives) and the profile's constants, each with its neighbours, with high bits set (garbage in
// the high half, sign extension, the top bit), complemented, and bit by bit (for the masks).
std::vector<uint64_t> CandidateValues(const std::set<uint64_t>& constants) {
  std::set<uint64_t> out;
  const uint64_t boundaries[] = {0,          0x7fffffffu,       0x80000000u,           0xffffffffu,
                                 uint64_t{1} << 32,             uint64_t{1} << 63,     ~uint64_t{0},
                                 0xffffffff80000000ull,         0xfffffffffffffff0ull, 0x00000000fffffff0ull};
  for (uint64_t b : boundaries) {
    out.insert({b - 1, b, b + 1});
  }
  for (uint64_t v : constants) {
    for (uint64_t w : {v - 1, v, v + 1}) {
      out.insert({w, w | 0xffffffff00000000ull, w | (uint64_t{1} << 32), w | (uint64_t{1} << 63), ~w,
                  w ^ 0x5a5a5a5a00000000ull});
    }
    for (int bit = 0; bit < 64; ++bit) {
      if ((v >> bit & 1) != 0) out.insert({uint64_t{1} << bit, v & ~(uint64_t{1} << bit)});
    }
  }
  return {out.begin(), out.end()};
}

// libseccomp compares all 64 bits on x86_64 and only the low halves on 32-bit ABIs and x32; ours
// compares the low half of a 32-bit argument. Inputs on which both mean the same: 32-bit arguments
// (and all arguments on 32-bit ABIs and x32) with a zero high half.
bpf::SeccompData NarrowedForLibseccomp(Arch arch, std::string_view name, bpf::SeccompData d) {
  const bool all32 = !GetArchInfo(arch).is_64bit || arch == Arch::kX32;
  for (int a = 0; a < 6; ++a) {
    if (all32 || syscalls::ArgWidthBits(arch, name, a) == 32) d.args[a] &= 0xffffffffu;
  }
  return d;
}

// The inputs for one syscall with argument rules on one ABI: each compared argument alone at every
// candidate (the others zero), then random mixtures of candidates on all six arguments.
std::vector<bpf::SeccompData> ArgumentInputs(Arch arch, uint32_t nr, const std::set<int>& indices,
                                             const std::vector<uint64_t>& candidates, std::mt19937_64& rng,
                                             size_t mixtures) {
  std::vector<bpf::SeccompData> inputs;
  bpf::SeccompData base;
  base.arch = GetArchInfo(arch).audit_arch;
  base.nr = static_cast<int32_t>(nr);
  for (int index : indices) {
    for (uint64_t c : candidates) {
      bpf::SeccompData d = base;
      d.args[index] = c;
      inputs.push_back(d);
    }
  }
  for (size_t i = 0; i < mixtures; ++i) {
    bpf::SeccompData d = base;
    for (uint64_t& a : d.args) a = candidates[rng() % candidates.size()];
    inputs.push_back(d);
  }
  return inputs;
}

std::string Describe(Arch arch, std::string_view name, const bpf::SeccompData& d) {
  return std::string(ArchName(arch)) + " " + std::string(name) + ": " + DescribeInput(d);
}

TEST(MobyDifferentialTest, ArgumentRulesAtBoundariesAndTheProfilesConstants) {
  const policy::Policy p = LoadMoby();
  ASSERT_FALSE(p.arches.empty());
  const ArgumentRules rules = ReadArgumentRules();
  // socket, personality, clone (masked) at least; 38, 39, 40, 8, 0x20000, 0xffffffff, 0x7e020000.
  ASSERT_GE(rules.indices.size(), 3u);
  ASSERT_GE(rules.constants.size(), 8u);
  ASSERT_TRUE(rules.constants.count(2114060288u) == 1 && rules.constants.count(4294967295u) == 1);
  const std::vector<uint64_t> candidates = CandidateValues(rules.constants);
  auto ours_result = codegen::Compile(p);
  auto theirs_result = CompileWithLibseccomp(p, LibseccompOptimize::kBinaryTree, true);
  const bpf::Program& ours = Checked(ours_result);
  const bpf::Program& theirs = Checked(theirs_result);
  ASSERT_FALSE(ours.empty() || theirs.empty());
  std::mt19937_64 rng(2114060288);
  size_t against_model = 0, against_libseccomp = 0, syscalls_tried = 0, syscalls_with_libseccomp = 0;
  std::set<uint32_t> decisions;  // the inputs must reach more than one outcome per syscall
  for (const Arch arch : {Arch::kX86_64, Arch::kX86, Arch::kX32}) {
    ASSERT_NE(std::find(p.arches.begin(), p.arches.end(), arch), p.arches.end()) << ArchName(arch);
    for (const auto& [name, indices] : rules.indices) {
      const auto nr = syscalls::NumberOf(arch, name);
      if (!nr) continue;
      // socket on i386 (359) is newer than libseccomp 2.5.4's multiplexing: the model judges alone.
      const bool libseccomp_comparable = ComparableNumber(arch, *nr);
      ++syscalls_tried;
      if (libseccomp_comparable) ++syscalls_with_libseccomp;
      std::set<uint32_t> outcomes;
      for (const bpf::SeccompData& d : ArgumentInputs(arch, *nr, indices, candidates, rng, 400)) {
        // Ours against the reference evaluator on every value, high halves included.
        const uint32_t model = policy::Evaluate(p, d).action.ToSeccompRet();
        auto got = bpf::Evaluate(ours, d);
        ASSERT_TRUE(got.ok());
        ASSERT_EQ(got->value, model) << Describe(arch, name, d);
        outcomes.insert(model);
        ++against_model;
        if (!libseccomp_comparable) continue;
        // Ours against libseccomp where both read the arguments alike.
        const bpf::SeccompData n = NarrowedForLibseccomp(arch, name, d);
        auto want = bpf::Evaluate(theirs, n);
        auto got_narrow = bpf::Evaluate(ours, n);
        ASSERT_TRUE(want.ok() && got_narrow.ok());
        ASSERT_EQ(got_narrow->value, want->value) << "libseccomp: " << Describe(arch, name, n);
        ASSERT_EQ(got_narrow->value, policy::Evaluate(p, n).action.ToSeccompRet()) << Describe(arch, name, n);
        ++against_libseccomp;
      }
      // Every argument rule of the profile allows some values and denies others.
      EXPECT_GE(outcomes.size(), 2u) << ArchName(arch) << " " << name << ": the inputs never cross a rule";
      decisions.insert(outcomes.begin(), outcomes.end());
    }
  }
  EXPECT_GE(syscalls_tried, 3u * 3);
  EXPECT_GE(syscalls_with_libseccomp, 8u);
  EXPECT_GE(against_libseccomp, 8u * 500);
  std::printf("moby argument rules: %zu syscall/ABI pairs (%zu compared with libseccomp), %zu candidate values, "
              "%zu inputs against the model, %zu against libseccomp\n",
              syscalls_tried, syscalls_with_libseccomp, candidates.size(), against_model, against_libseccomp);
}

TEST(MobyDifferentialTest, KernelReachesTheReturnTheEvaluatorReaches) {
  auto oracle = testsupport::KernelOracle::Create();
  if (!oracle.ok())
    GTEST_SKIP() << "no kernel oracle here [feature: seccomp-filter] [feature: x86_64]: " << oracle.error().message;
  const policy::Policy p = LoadMoby();
  auto compiled = codegen::Compile(p);
  const bpf::Program& program = Checked(compiled);
  ASSERT_FALSE(program.empty());
  // The multi-ABI filter is long enough to need long jumps: the kernel judges them here too.
  EXPECT_GT(testsupport::LongJumpCount(program), 0u);
  const ArgumentRules rules = ReadArgumentRules();
  const std::vector<uint64_t> candidates = CandidateValues(rules.constants);
  std::mt19937_64 rng(414);
  std::vector<testsupport::OracleInput> inputs;
  auto add = [&](testsupport::OracleAbi abi, uint32_t nr, const uint64_t (&args)[6]) {
    testsupport::OracleInput in;
    in.abi = abi;
    in.nr = static_cast<int32_t>(nr);
    for (int a = 0; a < 6; ++a) in.args[a] = args[a];
    if (in.args[5] == testsupport::KernelOracle::kMagic) in.args[5] = 0;
    inputs.push_back(in);
  };
  const uint64_t zero[6] = {0, 0, 0, 0, 0, 0};
  // Every x86_64 number (the uprobe syscalls 335/336 bypass filters and would really run), a
  // sample of x32 numbers through the same instruction, and i386 numbers through int 0x80.
  for (uint32_t nr = 0; nr < 470; ++nr) {
    if (nr != 335 && nr != 336) add(testsupport::OracleAbi::kX86_64, nr, zero);
    if (nr % 3 == 0) add(testsupport::OracleAbi::kX86_64, kX32SyscallBit | nr, zero);
    if (oracle->SupportsI386() && nr % 2 == 0) add(testsupport::OracleAbi::kI386, nr, zero);
  }
  for (uint32_t nr : {0x3fffffffu, 0x40000000u | 600u, 1000u, 0x7fffffffu}) add(testsupport::OracleAbi::kX86_64, nr, zero);
  // The argument rules at a sample of the candidates.
  size_t argument_inputs = 0;
  for (const auto& [name, indices] : rules.indices) {
    for (const Arch arch : {Arch::kX86_64, Arch::kX32, Arch::kX86}) {
      if (arch == Arch::kX86 && !oracle->SupportsI386()) continue;
      const auto nr = syscalls::NumberOf(arch, name);
      if (!nr) continue;
      const auto abi = arch == Arch::kX86 ? testsupport::OracleAbi::kI386 : testsupport::OracleAbi::kX86_64;
      for (const bpf::SeccompData& d : ArgumentInputs(arch, *nr, indices, candidates, rng, 40)) {
        if (rng() % 3 != 0) continue;
        add(abi, static_cast<uint32_t>(d.nr), d.args);
        ++argument_inputs;
      }
    }
  }
  auto run = oracle->Run(program, inputs);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(run->accepted) << "the kernel refused moby's filter: errno " << run->install_errno;
  ASSERT_EQ(run->outcomes.size(), inputs.size());
  std::set<uint32_t> actions;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const bpf::SeccompData data = oracle->DataFor(inputs[k]);
    auto eval = bpf::Evaluate(program, data);
    ASSERT_TRUE(eval.ok());
    ASSERT_FALSE(run->outcomes[k].killed) << "input " << k;
    EXPECT_EQ(run->outcomes[k].ret_offset, eval->exit_offset) << "input " << k << " nr 0x" << std::hex << data.nr
                                                              << " arg0 0x" << data.args[0];
    const uint32_t action = program[run->outcomes[k].ret_offset].k;
    EXPECT_EQ(action, policy::Evaluate(p, data).action.ToSeccompRet()) << "input " << k;
    actions.insert(action);
  }
  EXPECT_GE(actions.size(), 2u);
  EXPECT_GT(argument_inputs, 100u);
  std::printf("moby in the kernel: %zu inputs (%zu on argument rules), i386 %s\n", inputs.size(), argument_inputs,
              oracle->SupportsI386() ? "included" : "not available");
  if (!oracle->SupportsI386()) GTEST_SKIP() << testsupport::kNoI386Reason;
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
  const inspect::PathStats paths = inspect::MeasurePaths(ours, Arch::kX86_64, 0, 459);
  EXPECT_LE(paths.mean, 10.0);
  const inspect::PathStats reference = inspect::MeasurePaths(theirs, Arch::kX86_64, 0, 459);
  EXPECT_LE(paths.worst, reference.worst);
  const inspect::CompileStats stats = inspect::ComputeStats(ours, p);
  EXPECT_GT(stats.allows, 300u);
  EXPECT_EQ(stats.cacheable_allows, stats.allows);
}

}  // namespace
}  // namespace sysfence::differential
