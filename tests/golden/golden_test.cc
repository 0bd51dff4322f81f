// SPDX-License-Identifier: Apache-2.0
// Golden disassembly: each tests/golden/NAME.sfp compiled and disassembled must equal the checked-in
// listing, NAME.ARCH.disasm per ABI for single-ABI policies (the policy's ABI replaced by each of
// x86_64, x86 and aarch64), NAME.disasm for policies that list several ABIs. A change to the
// compiler's output shows up as a reviewable diff. Regenerate with tests/golden/regenerate.sh.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "inspect/disassembler.h"
#include "bpf/verifier.h"
#include "codegen/compile.h"
#include "core/diagnostic.h"
#include "policy/parser.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() {
  return fs::path(sysfence::test_paths::SourceDir()) / "tests" / "golden";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Listing(const policy::Policy& policy) {
  auto program = codegen::Compile(policy);
  EXPECT_TRUE(program.ok()) << program.error().message;
  if (!program.ok()) return "";
  EXPECT_TRUE(bpf::Verify(*program).ok());
  inspect::DisassembleOptions options;
  options.default_arch = policy.arches.front();
  return inspect::Disassemble(*program, options);
}

void Check(const fs::path& golden, const std::string& listing) {
  if (std::getenv("SYSFENCE_REGENERATE_GOLDEN") != nullptr) {
    std::ofstream(golden) << listing;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing: run tests/golden/regenerate.sh";
  EXPECT_EQ(listing, ReadFile(golden)) << golden << " differs: review, then run tests/golden/regenerate.sh";
}

TEST(GoldenTest, CompiledPoliciesMatchTheirListings) {
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(GoldenDir())) {
    if (entry.path().extension() != ".sfp") continue;
    Diagnostics diagnostics;
    const std::string text = ReadFile(entry.path());
    auto policy = policy::ParsePolicy(text, entry.path().filename().string(), diagnostics);
    std::string rendered;
    for (const Diagnostic& d : diagnostics.all()) rendered += RenderDiagnostic(d, text) + "\n";
    ASSERT_TRUE(policy.has_value()) << rendered;
    const std::string stem = entry.path().stem().string();
    if (policy->arches.size() > 1) {
      Check(GoldenDir() / (stem + ".disasm"), Listing(*policy));
      ++checked;
      continue;
    }
    for (Arch arch : {Arch::kX86_64, Arch::kX86, Arch::kAarch64}) {
      policy::Policy per_arch = *policy;
      per_arch.arches = {arch};
      Check(GoldenDir() / (stem + "." + std::string(ArchName(arch)) + ".disasm"), Listing(per_arch));
      ++checked;
    }
  }
  EXPECT_GE(checked, 7u);
}

}  // namespace
}  // namespace sysfence
