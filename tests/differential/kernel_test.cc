// SPDX-License-Identifier: Apache-2.0
// The kernel itself as the judge, on a sample: random policies' filters run in a forked child by
// the kernel oracle (tests/support), through the `syscall` instruction (x86_64 and x32 numbers) and
// `int 0x80` (i386); the return the kernel reached must be the one the BPF evaluator reached.
#include <gtest/gtest.h>

#include <random>

#include "bpf/evaluator.h"
#include "codegen/compile.h"
#include "policy/evaluate.h"
#include "tests/differential/random_policies.h"
#include "tests/support/kernel_oracle.h"

namespace sysfence::differential {
namespace {

using testsupport::KernelOracle;
using testsupport::OracleAbi;
using testsupport::OracleInput;

constexpr int kPolicies = 12;
constexpr size_t kInputsPerPolicy = 30;

TEST(KernelDifferentialTest, KernelReachesTheReturnTheEvaluatorReaches) {
  auto oracle = KernelOracle::Create();
  if (!oracle.ok()) GTEST_SKIP() << "no kernel oracle here: " << oracle.error().message;
  std::mt19937_64 rng(99);
  size_t judged = 0;
  for (int i = 0; i < kPolicies; ++i) {
    policy::Policy p = RandomModelPolicy(rng);
    auto program = codegen::Compile(p);
    ASSERT_TRUE(program.ok());
    if (program->size() > 4000) continue;
    std::vector<OracleInput> inputs;
    for (const bpf::SeccompData& d : RandomInputs(p, rng, kInputsPerPolicy, false)) {
      OracleInput in;
      in.abi = d.arch == GetArchInfo(Arch::kX86).audit_arch && oracle->SupportsI386() ? OracleAbi::kI386
                                                                                      : OracleAbi::kX86_64;
      in.nr = d.nr;
      if (in.abi == OracleAbi::kX86_64 && (in.nr == 335 || in.nr == 336)) in.nr = 0;  // uprobe syscalls bypass filters
      for (int a = 0; a < 6; ++a) in.args[a] = d.args[a];
      if (in.args[5] == KernelOracle::kMagic) in.args[5] = 0;
      inputs.push_back(in);
    }
    auto run = oracle->Run(*program, inputs);
    ASSERT_TRUE(run.ok()) << run.error().message;
    ASSERT_TRUE(run->accepted) << "the kernel refused policy " << i << ": errno " << run->install_errno;
    for (size_t k = 0; k < inputs.size(); ++k) {
      const bpf::SeccompData data = oracle->DataFor(inputs[k]);
      auto eval = bpf::Evaluate(*program, data);
      ASSERT_TRUE(eval.ok());
      ASSERT_FALSE(run->outcomes[k].killed);
      EXPECT_EQ(run->outcomes[k].ret_offset, eval->exit_offset) << "policy " << i << " input " << k;
      EXPECT_EQ((*program)[run->outcomes[k].ret_offset].k, policy::Evaluate(p, data).action.ToSeccompRet())
          << "policy " << i << " input " << k;
      ++judged;
    }
  }
  EXPECT_GT(judged, 200u);
}

}  // namespace
}  // namespace sysfence::differential
