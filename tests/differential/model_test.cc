// SPDX-License-Identifier: Apache-2.0
// 10 000 random policies over the whole model: the compiled program (run by the BPF evaluator),
// the IR evaluator and the reference evaluator must decide every input alike, and the IR must name
// the same deciding rule as the reference.
#include <gtest/gtest.h>

#include <random>

#include "bpf/evaluator.h"
#include "bpf/verifier.h"
#include "codegen/compile.h"
#include "inspect/cache_analysis.h"
#include "ir/build.h"
#include "ir/evaluate.h"
#include "tests/support/random_policy.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"
#include "tests/differential/random_policies.h"
#include "tests/support/random_policy.h"

namespace sysfence::differential {
namespace {

constexpr int kPolicies = 10000;
constexpr size_t kInputsPerPolicy = 48;

TEST(ModelDifferentialTest, BpfIrAndReferenceAgreeOnRandomPolicies) {
  std::mt19937_64 rng(20261123);
  size_t inputs_checked = 0, cache_checked = 0;
  for (int i = 0; i < kPolicies; ++i) {
    const policy::Policy p = RandomModelPolicy(rng);
    auto ir = ir::BuildIr(p);
    ASSERT_TRUE(ir.ok()) << "policy " << i << ": " << ir.error().message;
    auto program = codegen::Compile(p);
    ASSERT_TRUE(program.ok()) << "policy " << i << ": " << program.error().message;
    ASSERT_TRUE(bpf::Verify(*program).ok()) << "policy " << i;
    for (const SeccompData& d : RandomInputs(p, rng, kInputsPerPolicy, false)) {
      const policy::Decision want = policy::Evaluate(p, d);
      const policy::Decision got = ir::Evaluate(*ir, d);
      ASSERT_EQ(got.action, want.action) << "policy " << i << " " << DescribeInput(d);
      ASSERT_EQ(got.by, want.by) << "policy " << i << " " << DescribeInput(d);
      ASSERT_EQ(got.rule_index, want.rule_index) << "policy " << i << " " << DescribeInput(d);
      auto run = bpf::Evaluate(*program, d);
      ASSERT_TRUE(run.ok());
      ASSERT_EQ(run->value, want.action.ToSeccompRet()) << "policy " << i << " " << DescribeInput(d);
      ++inputs_checked;
    }
    // Every unconditional allow must be one the kernel caches (checked on a tenth of the policies).
    if (i % 10 == 0) {
      for (const ir::ArchTable& table : ir->tables) {
        for (const auto& entry : syscalls::AllOf(table.arch)) {
          const ir::Node& node = ir->nodes[ir::Ir::Lookup(table, entry.number)];
          if (!node.is_leaf || node.outcome.action != Action::Allow()) continue;
          ASSERT_TRUE(inspect::IsConstantAllow(*program, GetArchInfo(table.arch).audit_arch,
                                           static_cast<int32_t>(entry.number)))
              << "policy " << i << " " << ArchName(table.arch) << " " << entry.name;
          ++cache_checked;
        }
      }
    }
  }
  EXPECT_EQ(inputs_checked, kPolicies * kInputsPerPolicy);
  EXPECT_GT(cache_checked, 1000u);
}

// The run supervisor names the deciding rule with the IR evaluator. (policy::CompiledEvaluator did
// that before; it was removed once a test here showed both give the same action and rule on 2000
// random model policies.) The random policies of the policy library, with boundary arguments and
// numbers past the tables, as CompiledEvaluator was checked against the reference.
TEST(ModelDifferentialTest, IrEvaluatorMatchesReferenceOnPolicyLibraryRandomPolicies) {
  std::mt19937_64 random(42);
  const std::vector<Arch> arches = {Arch::kX86_64, Arch::kX86, Arch::kX32, Arch::kAarch64, Arch::kArm};
  constexpr uint64_t kBoundaries[] = {0, 1, 0xffffffff, 0x80000000, uint64_t{1} << 32, uint64_t{1} << 63, ~uint64_t{0},
                                      0xffffffff80000000, 0x7fffffff};
  size_t by_rule = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const policy::Policy p = policy::RandomPolicy(seed);
    auto ir = ir::BuildIr(p);
    ASSERT_TRUE(ir.ok()) << "seed " << seed << ": " << ir.error().message;
    for (int i = 0; i < 200; ++i) {
      const Arch arch = arches[random() % arches.size()];
      SeccompData data;
      data.arch = GetArchInfo(arch).audit_arch;
      const auto all = syscalls::AllOf(arch);
      data.nr = random() % 8 == 0 ? static_cast<int32_t>(random()) : static_cast<int32_t>(all[random() % all.size()].number);
      for (uint64_t& arg : data.args) arg = random() % 2 ? kBoundaries[random() % std::size(kBoundaries)] : random();
      const policy::Decision expected = policy::Evaluate(p, data);
      const policy::Decision actual = ir::Evaluate(*ir, data);
      ASSERT_EQ(actual.action, expected.action) << "seed " << seed;
      ASSERT_EQ(actual.by, expected.by) << "seed " << seed;
      ASSERT_EQ(actual.rule_index, expected.rule_index) << "seed " << seed;
      if (expected.by == policy::DecidedBy::kRule) ++by_rule;
    }
  }
  EXPECT_GT(by_rule, 100u);
}

}  // namespace
}  // namespace sysfence::differential
