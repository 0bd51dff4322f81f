// SPDX-License-Identifier: Apache-2.0
// The evaluator and the verifier against the kernel itself (tests/support/kernel_oracle.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "bpf/instruction_text.h"
#include "bpf/evaluator.h"
#include "bpf/opcodes.h"
#include "bpf/verifier.h"
#include "tests/support/kernel_oracle.h"
#include "tests/support/random_program.h"

namespace sysfence::bpf {
namespace {

// The program as text for failure messages (the disassembler proper lives in inspect/).
std::string Disassemble(const Program& program) {
  std::string out;
  for (size_t i = 0; i < program.size(); ++i) out += std::to_string(i) + ": " + InstructionText(program, i) + "\n";
  return out;
}

using testsupport::KernelOracle;
using testsupport::OracleAbi;
using testsupport::OracleInput;

std::optional<KernelOracle>& Oracle() {
  static std::optional<KernelOracle> oracle = [] {
    auto created = KernelOracle::Create();
    return created.ok() ? std::optional<KernelOracle>(created.value()) : std::nullopt;
  }();
  return oracle;
}

OracleInput RandomInput(std::mt19937_64& rng, bool i386, const std::vector<uint32_t>& interesting) {
  OracleInput input;
  input.abi = i386 && (rng() % 4 == 0) ? OracleAbi::kI386 : OracleAbi::kX86_64;
  do {
    switch (rng() % 4) {
      case 0: input.nr = static_cast<int32_t>(rng() % 500); break;
      case 1: input.nr = static_cast<int32_t>(0x40000000u | (rng() % 600)); break;
      default: input.nr = static_cast<int32_t>(testsupport::RandomWord(rng, interesting)); break;
    }
  } while (input.abi == OracleAbi::kX86_64 && (input.nr == 335 || input.nr == 336));
  for (uint64_t& arg : input.args) {
    const uint64_t lo = testsupport::RandomWord(rng, interesting);
    const uint64_t hi = rng() % 3 == 0 ? testsupport::RandomWord(rng, interesting) : 0;
    arg = input.abi == OracleAbi::kI386 ? lo : (hi << 32 | lo);
  }
  return input;
}

// Values the inputs carry, offered to the program generator so comparisons go both ways.
std::vector<uint32_t> InterestingValues(const KernelOracle& oracle) {
  const SeccompData x86_64 = oracle.DataFor(OracleInput{});
  OracleInput i386_input;
  i386_input.abi = OracleAbi::kI386;
  const SeccompData i386 = oracle.DataFor(i386_input);
  return {x86_64.arch,
          i386.arch,
          static_cast<uint32_t>(x86_64.instruction_pointer),
          static_cast<uint32_t>(x86_64.instruction_pointer >> 32),
          static_cast<uint32_t>(i386.instruction_pointer),
          0x40000000u,
          59,
          1,
          2,
          3,
          64,
          0xfff};
}

TEST(OracleTest, EvaluatorMatchesKernelOnRandomPrograms) {
  if (!Oracle())
    GTEST_SKIP() << "no kernel oracle here (needs x86_64 Linux with seccomp filters) [feature: seccomp-filter] "
                    "[feature: x86_64]";
  const KernelOracle& oracle = *Oracle();
  const auto started = std::chrono::steady_clock::now();
  std::mt19937_64 rng(20261123);
  testsupport::RandomProgramOptions options;
  options.interesting = InterestingValues(oracle);
  options.guard_division = 0.99;  // each X == 0 division kills a child (and is audit-logged): keep a few
  constexpr size_t kPrograms = 1100;
  constexpr size_t kInputsPerProgram = 100;
  std::set<uint16_t> opcodes_executed;
  size_t pairs = 0, killed = 0, ret_a = 0, i386 = 0;
  for (size_t p = 0; p < kPrograms; ++p) {
    const Program program = testsupport::RandomValidProgram(rng, options);
    std::vector<OracleInput> inputs;
    for (size_t i = 0; i < kInputsPerProgram; ++i) {
      inputs.push_back(RandomInput(rng, oracle.SupportsI386(), options.interesting));
    }
    auto run = oracle.Run(program, inputs);
    ASSERT_TRUE(run.ok()) << run.error().message;
    ASSERT_TRUE(run->accepted) << "kernel refused a program the verifier accepts (errno " << run->install_errno
                               << "):\n"
                               << Disassemble(program);
    for (size_t i = 0; i < inputs.size(); ++i) {
      const SeccompData data = oracle.DataFor(inputs[i]);
      auto eval = Evaluate(program, data, EvalOptions{.record_path = true});
      ASSERT_TRUE(eval.ok()) << eval.error().message;
      for (uint32_t pc : eval->path) opcodes_executed.insert(program[pc].code);
      const auto& kernel = run->outcomes[i];
      ++pairs;
      i386 += inputs[i].abi == OracleAbi::kI386;
      if (kernel.killed) {
        ++killed;
        ASSERT_TRUE(eval->divided_by_zero) << "input " << i << " of\n" << Disassemble(program);
        continue;
      }
      ASSERT_FALSE(eval->divided_by_zero) << "input " << i << " of\n" << Disassemble(program);
      ASSERT_EQ(eval->exit_offset, kernel.ret_offset) << "input " << i << " nr " << data.nr << " of\n"
                                                      << Disassemble(program);
      if (program[eval->exit_offset].code == opcode::kRetA) {
        ++ret_a;
        ASSERT_TRUE(kernel.a.has_value());
        ASSERT_EQ(eval->value, *kernel.a) << "input " << i << " of\n" << Disassemble(program);
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("oracle: %zu pairs (%zu ret a, %zu killed by div x 0, %zu via int 0x80) in %.1f s\n", pairs, ret_a,
              killed, i386, seconds);
  EXPECT_GE(pairs, 100000u);
  EXPECT_GT(ret_a, 0u);
  EXPECT_GT(killed, 0u);
  if (oracle.SupportsI386()) {
    EXPECT_GT(i386, 0u);
  }
  // Every opcode seccomp accepts was executed by the kernel and the evaluator at least once.
  for (uint16_t code : SeccompOpcodes()) EXPECT_TRUE(opcodes_executed.count(code)) << "opcode " << code;
  if (!oracle.SupportsI386()) GTEST_SKIP() << testsupport::kNoI386Reason;
}

TEST(OracleTest, VerifierMatchesKernelOnMutatedPrograms) {
  if (!Oracle())
    GTEST_SKIP() << "no kernel oracle here (needs x86_64 Linux with seccomp filters) [feature: seccomp-filter] "
                    "[feature: x86_64]";
  const KernelOracle& oracle = *Oracle();
  std::mt19937_64 rng(7);
  testsupport::RandomProgramOptions options;
  size_t accepted = 0, rejected = 0;
  for (int p = 0; p < 1500; ++p) {
    const Program program = testsupport::RandomMutatedProgram(rng, options);
    auto run = oracle.Run(program, {});
    ASSERT_TRUE(run.ok()) << run.error().message;
    const auto failure = FindVerifyFailure(program);
    ASSERT_EQ(run->accepted, !failure.has_value())
        << (failure ? failure->ToString() : "verifier accepts") << "\n" << Disassemble(program);
    (run->accepted ? accepted : rejected)++;
  }
  std::printf("verifier vs kernel: %zu accepted, %zu rejected, all agree\n", accepted, rejected);
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(rejected, 100u);
}

}  // namespace
}  // namespace sysfence::bpf
