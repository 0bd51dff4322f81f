// SPDX-License-Identifier: Apache-2.0
// The disassembler round-trips through the text assembler on what the compiler generates:
// ParseAssembly(Disassemble(Compile(p))) == Compile(p), instruction for instruction, with and
// without comments, for thousands of random policies (policy::RandomPolicy with several option
// sets, on every ABI mix), the example policies (examples/*.sfp), the golden policies and Docker's
// default profile (whose multi-ABI filter needs long jumps).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "inspect/disassembler.h"
#include "bpf/opcodes.h"
#include "bpf/text_assembler.h"
#include "bpf/verifier.h"
#include "codegen/compile.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "policy/random_policy.h"
#include "tests/support/long_jumps.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

namespace fs = std::filesystem;

// The first instruction where `b` differs from `a`, or their common length when one is a prefix.
size_t FirstDifference(const bpf::Program& a, const bpf::Program& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (!(a[i] == b[i])) return i;
  }
  return n;
}

// Checks one program both ways (with and without comments); false after reporting a failure.
bool RoundTrips(const bpf::Program& program, Arch arch, const std::string& what) {
  for (const bool comments : {true, false}) {
    inspect::DisassembleOptions options;
    options.default_arch = arch;
    options.comments = comments;
    const std::string listing = inspect::Disassemble(program, options);
    auto back = bpf::ParseAssembly(listing);
    if (!back.ok()) {
      ADD_FAILURE() << what << (comments ? "" : " (no comments)") << ": the listing does not assemble: "
                    << back.error().message << "\n" << listing;
      return false;
    }
    if (*back != program) {
      const size_t at = FirstDifference(program, *back);
      ADD_FAILURE() << what << (comments ? "" : " (no comments)") << ": assembled back to " << back->size()
                    << " instructions (compiled: " << program.size() << "), first difference at " << at
                    << (at < program.size() ? ": " + bpf::InstructionText(program, at) : std::string()) << "\n"
                    << listing;
      return false;
    }
  }
  return true;
}

bool HasLongJump(const bpf::Program& program) { return testsupport::LongJumpCount(program) > 0; }

// The count the round-trip and kernel tests rely on: a `ja` counts only as a conditional jump's
// trampoline, not as an ordinary jump.
TEST(LongJumpCountTest, CountsOnlyJaReachedFromAConditionalJump) {
  using bpf::Jump;
  using bpf::Stmt;
  const uint16_t jeq = bpf::op::kJmp | bpf::op::kJeq | bpf::op::kK;
  const bpf::Program trampoline = {Jump(jeq, 1, 0, 1), Stmt(bpf::opcode::kJa, 1), Stmt(bpf::opcode::kRetK, 0),
                                   Stmt(bpf::opcode::kRetK, 1)};
  EXPECT_EQ(testsupport::LongJumpCount(trampoline), 1u);
  const bpf::Program plain_ja = {Stmt(bpf::opcode::kJa, 1), Stmt(bpf::opcode::kRetK, 0),
                                 Stmt(bpf::opcode::kRetK, 1)};
  EXPECT_EQ(testsupport::LongJumpCount(plain_ja), 0u);
}

TEST(DisassemblyRoundTripTest, RandomPoliciesCompileToProgramsTheAssemblerRebuilds) {
  std::vector<policy::RandomPolicyOptions> option_sets(3);
  option_sets[1].max_rules = 40;
  option_sets[1].max_targets = 8;
  option_sets[1].max_condition_depth = 4;
  option_sets[2].arches = {Arch::kX86_64, Arch::kX86, Arch::kX32, Arch::kAarch64, Arch::kArm, Arch::kRiscv64,
                           Arch::kS390x};
  option_sets[2].max_rules = 24;
  size_t checked = 0, too_large = 0, longest = 0, with_long_jumps = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    const policy::RandomPolicyOptions& options = option_sets[seed % option_sets.size()];
    const policy::Policy p = policy::RandomPolicy(seed, options);
    auto program = codegen::Compile(p);
    if (!program.ok()) {
      ASSERT_EQ(program.error().code, ErrorCode::kLimit) << "seed " << seed << ": " << program.error().message;
      ++too_large;
      continue;
    }
    ASSERT_TRUE(bpf::Verify(*program).ok()) << "seed " << seed;
    ASSERT_TRUE(RoundTrips(*program, p.arches.front(), "seed " + std::to_string(seed)));
    longest = std::max(longest, program->size());
    if (HasLongJump(*program)) ++with_long_jumps;
    ++checked;
  }
  std::printf("%zu random programs round-tripped (longest %zu instructions, %zu with long jumps), %zu over "
              "the limit\n",
              checked, longest, with_long_jumps, too_large);
  EXPECT_GE(checked, 2900u);
  EXPECT_GT(longest, 256u);  // some programs are long enough for jumps past 255 instructions
  EXPECT_GE(with_long_jumps, 100u);  // and long jumps (764 of 3000 here) round-trip through the text assembler
}

std::vector<fs::path> PoliciesIn(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == extension) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DisassemblyRoundTripTest, ExampleGoldenAndDockerPoliciesRoundTrip) {
  const fs::path source = test_paths::SourceDir();
  std::vector<fs::path> files = PoliciesIn(source / "examples", ".sfp");
  const size_t examples = files.size();
  for (const fs::path& golden : PoliciesIn(source / "tests" / "golden", ".sfp")) files.push_back(golden);
  files.push_back(source / "tests" / "data" / "moby-default.json");
  ASSERT_GE(examples, 3u) << "examples/*.sfp not found under " << source;
  size_t checked = 0;
  bool long_jump_seen = false;
  for (const fs::path& file : files) {
    Diagnostics diagnostics;
    formats::LoadOptions load;
    load.kernel_version = "";  // every minKernel rule applies
    auto p = formats::LoadPolicyFile(file.string(), load, diagnostics);
    ASSERT_TRUE(p.has_value() && !diagnostics.HasErrors()) << "cannot load " << file;
    // The policy as written, then on each single ABI (a different prologue and numbering).
    std::vector<std::vector<Arch>> variants = {p->arches};
    for (Arch arch : {Arch::kX86_64, Arch::kX86, Arch::kAarch64}) variants.push_back({arch});
    for (const std::vector<Arch>& arches : variants) {
      if (arches.empty()) continue;
      policy::Policy q = *p;
      q.arches = arches;
      auto program = codegen::Compile(q);
      ASSERT_TRUE(program.ok()) << file << ": " << program.error().message;
      ASSERT_TRUE(RoundTrips(*program, arches.front(), file.filename().string() + " on " +
                                                           std::string(ArchName(arches.front()))));
      long_jump_seen = long_jump_seen || HasLongJump(*program);
      ++checked;
    }
  }
  EXPECT_GE(checked, 4 * (examples + 2));
  std::printf("%zu example, golden and Docker programs round-tripped (long jumps %s)\n", checked,
              long_jump_seen ? "included" : "absent");
  EXPECT_TRUE(long_jump_seen) << "Docker's multi-ABI profile needs long jumps";
}

}  // namespace
}  // namespace sysfence
