// SPDX-License-Identifier: Apache-2.0
// The kernel itself as the judge, on a sample (4000 random policies x 128 inputs, every action,
// notify and trap included): random policies' filters run in a forked child by the kernel oracle
// (tests/support), through the `syscall` instruction (x86_64 and x32 numbers) and `int 0x80`
// (i386); the return the kernel reached must be the one the BPF evaluator reached.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <cstdio>
#include <random>
#include <set>

#include "bpf/evaluator.h"
#include "codegen/compile.h"
#include "policy/evaluate.h"
#include "tests/differential/random_policies.h"
#include "tests/support/kernel_oracle.h"
#include "tests/support/long_jumps.h"

namespace sysfence::differential {
namespace {

using testsupport::KernelOracle;
using testsupport::OracleAbi;
using testsupport::OracleInput;

// About 0.1 s per 100 policies here (a fork, four filters per child and the syscalls).
constexpr int kPolicies = 4000;
constexpr size_t kInputsPerPolicy = 128;

TEST(KernelDifferentialTest, KernelReachesTheReturnTheEvaluatorReaches) {
  auto oracle = KernelOracle::Create();
  if (!oracle.ok())
    GTEST_SKIP() << "no kernel oracle here [feature: seccomp-filter] [feature: x86_64]: " << oracle.error().message;
  std::mt19937_64 rng(99);
  const auto start = std::chrono::steady_clock::now();
  size_t judged = 0, policies_judged = 0, i386_judged = 0, long_jump_policies = 0;
  std::set<uint32_t> actions_reached;  // action kinds (SECCOMP_RET_ACTION_FULL) the kernel reached
  for (int i = 0; i < kPolicies; ++i) {
    policy::Policy p = RandomModelPolicy(rng);
    auto program = codegen::Compile(p);
    ASSERT_TRUE(program.ok());
    if (program->size() > 4000) continue;
    ++policies_judged;
    if (testsupport::LongJumpCount(*program) > 0) ++long_jump_policies;
    std::vector<OracleInput> inputs;
    for (const SeccompData& d : RandomInputs(p, rng, kInputsPerPolicy, false)) {
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
      const SeccompData data = oracle->DataFor(inputs[k]);
      auto eval = bpf::Evaluate(*program, data);
      ASSERT_TRUE(eval.ok());
      ASSERT_FALSE(run->outcomes[k].killed);
      EXPECT_EQ(run->outcomes[k].ret_offset, eval->exit_offset) << "policy " << i << " input " << k;
      const uint32_t reached = (*program)[run->outcomes[k].ret_offset].k;
      EXPECT_EQ(reached, policy::Evaluate(p, data).action.ToSeccompRet()) << "policy " << i << " input " << k;
      actions_reached.insert(reached & 0xffff0000u);
      if (inputs[k].abi == OracleAbi::kI386) ++i386_judged;
      ++judged;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("kernel oracle: %zu policies (%zu with long jumps), %zu inputs judged (%zu through int 0x80), "
              "%zu action kinds, %.1f s\n",
              policies_judged, long_jump_policies, judged, i386_judged, actions_reached.size(), seconds);
  EXPECT_GE(policies_judged, kPolicies * 9u / 10);
  EXPECT_GE(judged, kPolicies * 9u / 10 * kInputsPerPolicy);
  // allow, log, errno, kill-process, kill-thread, trap, trace and notify all reached in the kernel.
  EXPECT_GE(actions_reached.size(), 8u);
  // Programs whose comparisons reach their targets through long jumps were among those judged (153
  // of the 4000 here), so the kernel agrees with the evaluator on long jumps too.
  EXPECT_GE(long_jump_policies, 50u);
  if (!oracle->SupportsI386()) GTEST_SKIP() << testsupport::kNoI386Reason;
  EXPECT_GT(i386_judged, judged / 20);
}

// Numbers past the syscall table (as runc's stub does): ENOSYS by default when the default
// denies, the `unknown` line's action when written, the default with `unknown default`; numbers
// inside the table that no syscall has keep the default. Judged by the kernel.
TEST(KernelDifferentialTest, NumbersPastTheTableAnswerEnosysUnlessThePolicySaysOtherwise) {
  auto oracle = KernelOracle::Create();
  if (!oracle.ok())
    GTEST_SKIP() << "no kernel oracle here [feature: seccomp-filter] [feature: x86_64]: " << oracle.error().message;
  const uint32_t highest = policy::HighestKnownNumber(Arch::kX86_64);
  struct Case {
    std::optional<Action> unknown;
    bool follows_default;
    Action expected_past;
  };
  const Case cases[] = {
      {std::nullopt, false, Action::Errno(ENOSYS)},
      {Action::Errno(EACCES), false, Action::Errno(EACCES)},
      {Action::KillProcess(), false, Action::KillProcess()},
      {std::nullopt, true, Action::Errno(EPERM)},
  };
  for (const Case& c : cases) {
    policy::Policy p;
    p.arches = {Arch::kX86_64};
    p.default_action = Action::Errno(EPERM);
    p.unknown_action = c.unknown;
    p.unknown_follows_default = c.follows_default;
    policy::Rule read;
    read.targets = {"read"};
    p.rules.push_back(read);
    auto program = codegen::Compile(p);
    ASSERT_TRUE(program.ok()) << program.error().message;
    std::vector<OracleInput> inputs(4);
    inputs[0].nr = 0;                                     // read: allowed
    inputs[1].nr = 400;                                   // in the table's gap: no syscall, the default
    inputs[2].nr = static_cast<int32_t>(highest + 1);     // just past the table
    inputs[3].nr = 0x3fffffff;                            // far past it (below the x32 bit)
    auto run = oracle->Run(*program, inputs);
    ASSERT_TRUE(run.ok()) << run.error().message;
    ASSERT_TRUE(run->accepted);
    const uint32_t expected[] = {Action::Allow().ToSeccompRet(), Action::Errno(EPERM).ToSeccompRet(),
                                 c.expected_past.ToSeccompRet(), c.expected_past.ToSeccompRet()};
    for (size_t k = 0; k < inputs.size(); ++k) {
      ASSERT_FALSE(run->outcomes[k].killed);
      const uint32_t reached = (*program)[run->outcomes[k].ret_offset].k;
      EXPECT_EQ(reached, expected[k]) << "input " << k;
      EXPECT_EQ(reached, policy::Evaluate(p, oracle->DataFor(inputs[k])).action.ToSeccompRet()) << "input " << k;
    }
  }
}

}  // namespace
}  // namespace sysfence::differential
