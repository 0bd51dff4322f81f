// SPDX-License-Identifier: Apache-2.0
// 10 000 random policies over the whole model: the compiled program (run by the BPF evaluator),
// the IR evaluator and the reference evaluator must decide every input alike, and the IR must name
// the same deciding rule as the reference.
#include <gtest/gtest.h>

#include <random>

#include "inspect/cache_analysis.h"
#include "bpf/evaluator.h"
#include "bpf/verifier.h"
#include "codegen/compile.h"
#include "ir/build.h"
#include "ir/evaluate.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"
#include "tests/differential/random_policies.h"

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
    for (const bpf::SeccompData& d : RandomInputs(p, rng, kInputsPerPolicy, false)) {
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

}  // namespace
}  // namespace sysfence::differential
