// SPDX-License-Identifier: Apache-2.0
// Argument names resolved with each ABI's own signature, end to end: for every ABI in the tables
// and every syscall with a signature there, a policy naming each scalar argument by name is
// compiled, and the reference evaluator, the compiled evaluator, the IR and the BPF program must all
// test the register that ABI's signature puts the argument in. Names an ABI cannot check must be
// parse errors naming the ABI. Then literal positions (s390x clone, x86 clone) judged by the kernel.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bpf/evaluator.h"
#include "codegen/compile.h"
#include "ir/build.h"
#include "ir/evaluate.h"
#include "policy/evaluate.h"
#include "policy/parser.h"
#include "syscalls/syscalls.h"
#include "tests/support/kernel_oracle.h"

namespace sysfence::differential {
namespace {

using syscalls::ArgInfo;
using syscalls::ArgKind;

constexpr uint64_t kProbe = 0x5a;  // fits every width
constexpr uint32_t kFirstErrno = 100;

std::optional<policy::Policy> Parse(const std::string& text, std::string* errors = nullptr) {
  Diagnostics diagnostics;
  auto policy = policy::ParsePolicy(text, "abi.sfp", diagnostics);
  if (errors != nullptr) {
    for (const Diagnostic& d : diagnostics.all()) *errors += d.span.ToString() + ": " + d.message + "\n";
  }
  return policy;
}

// Names a condition cannot use as names: keywords, and "argN" (prctl's arg2 is position 1, but
// `arg2` in a condition is position 2).
bool IsKeyword(std::string_view name) {
  if (name.size() > 3 && name.starts_with("arg") && name.find_first_not_of("0123456789", 3) == std::string_view::npos) {
    return true;
  }
  return name == "in" || name == "if" || name == "on";
}

// What all three judges decide for `data`; fails the test when they disagree.
uint32_t Decide(const policy::Policy& p, const ir::Ir& ir, const bpf::Program& program, const SeccompData& data,
                const std::string& what) {
  const uint32_t reference = policy::Evaluate(p, data).action.ToSeccompRet();
  EXPECT_EQ(ir::Evaluate(ir, data).action.ToSeccompRet(), reference) << what;
  auto bpf = bpf::Evaluate(program, data);
  EXPECT_TRUE(bpf.ok()) << what;
  if (bpf.ok()) {
    EXPECT_EQ(bpf->value, reference) << what;
  }
  return reference;
}

TEST(AbiArgumentsTest, EveryAbiResolvesNamesWithItsOwnSignature) {
  size_t checked = 0, moved = 0;
  for (Arch arch : AllArches()) {
    for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
      const std::string name(entry.name);
      const std::span<const ArgInfo> generic = syscalls::ArgsOf(name);
      const std::span<const ArgInfo> here = syscalls::ArgsOfOn(arch, name);
      // One rule per scalar argument the ABI has: errno 100+position when it equals kProbe.
      std::string text = "arch " + std::string(ArchName(arch)) + "\ndefault allow\n";
      std::vector<int> positions;
      for (size_t i = 0; i < here.size() && i < 6; ++i) {
        if (here[i].kind == ArgKind::kPointer || IsKeyword(here[i].name)) continue;
        // A name x86_64's signature lacks (none today) or has twice cannot be written.
        int in_generic = 0;
        for (const ArgInfo& g : generic) in_generic += g.name == here[i].name ? 1 : 0;
        if (in_generic != 1) continue;
        text += "errno " + std::to_string(kFirstErrno + i) + " " + name + " if " + std::string(here[i].name) +
                " == " + std::to_string(kProbe) + "\n";
        positions.push_back(static_cast<int>(i));
        for (size_t g = 0; g < generic.size(); ++g) {
          if (generic[g].name == here[i].name && g != i) ++moved;
        }
      }
      if (positions.empty()) continue;
      std::string errors;
      const auto p = Parse(text, &errors);
      ASSERT_TRUE(p.has_value()) << text << errors;
      auto ir = ir::BuildIr(*p);
      ASSERT_TRUE(ir.ok()) << ir.error().message;
      auto program = codegen::Compile(*p);
      ASSERT_TRUE(program.ok()) << program.error().message;
      SeccompData data;
      data.arch = GetArchInfo(arch).audit_arch;
      data.nr = static_cast<int32_t>(entry.number);
      const std::string what = std::string(ArchName(arch)) + " " + name;
      EXPECT_EQ(Decide(*p, *ir, *program, data, what), Action::Allow().ToSeccompRet()) << what;
      for (int position : positions) {
        SeccompData one = data;
        one.args[position] = kProbe;
        EXPECT_EQ(Decide(*p, *ir, *program, one, what + " arg" + std::to_string(position)),
                  Action::Errno(kFirstErrno + static_cast<uint32_t>(position)).ToSeccompRet())
            << what << " arg" << position << "\n" << text;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 8u * 500u);  // hundreds of syscalls with a few scalar arguments, on 8 ABIs
  // Scalars at another position than on x86_64: clone's newsp and clone_flags on s390x, clone's tls on
  // x86, arm, riscv64 and ppc64le.
  EXPECT_EQ(moved, 6u);
}

TEST(AbiArgumentsTest, NamesAnAbiCannotCheckAreErrorsNamingTheAbi) {
  size_t refused = 0;
  for (Arch arch : AllArches()) {
    for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
      const std::string name(entry.name);
      const std::span<const ArgInfo> generic = syscalls::ArgsOf(name);
      const std::span<const ArgInfo> here = syscalls::ArgsOfOn(arch, name);
      for (const ArgInfo& arg : generic) {
        if (arg.kind == ArgKind::kPointer || IsKeyword(arg.name)) continue;
        bool checkable = false;
        for (const ArgInfo& h : here) checkable = checkable || (h.name == arg.name && h.kind != ArgKind::kPointer);
        if (checkable) continue;
        const std::string text = "arch " + std::string(ArchName(arch)) + "\nallow " + name + " if " +
                                 std::string(arg.name) + " == 1\n";
        std::string errors;
        EXPECT_FALSE(Parse(text, &errors).has_value()) << text;
        EXPECT_NE(errors.find("abi.sfp:2:"), std::string::npos) << errors;
        EXPECT_NE(errors.find(" on " + std::string(ArchName(arch))), std::string::npos) << text << errors;
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 20u);  // old_mmap's six on x86 and s390x, register pairs on x86 and arm
}

// Literal positions, from the kernel's SYSCALL_DEFINE variants (CONFIG_CLONE_BACKWARDS, ...2).
TEST(AbiArgumentsTest, CloneArgumentPositionsPerAbi) {
  struct Row {
    Arch arch;
    int clone_flags;
    int tls;
  };
  const Row rows[] = {{Arch::kX86_64, 0, 4},  {Arch::kX86, 0, 3},     {Arch::kX32, 0, 4},
                      {Arch::kAarch64, 0, 4}, {Arch::kArm, 0, 3},     {Arch::kRiscv64, 0, 3},
                      {Arch::kPpc64le, 0, 3}, {Arch::kS390x, 1, 4}};
  std::string arches;
  for (Arch arch : AllArches()) arches += " " + std::string(ArchName(arch));
  const auto p = Parse("arch" + arches + "\ndefault allow\nerrno 7 clone if (clone_flags & CLONE_NEWUSER) != 0\n"
                       "errno 9 clone if tls == 0x1234\n");
  ASSERT_TRUE(p.has_value());
  auto ir = ir::BuildIr(*p);
  auto program = codegen::Compile(*p);
  ASSERT_TRUE(ir.ok() && program.ok());
  for (const Row& row : rows) {
    SeccompData data;
    data.arch = GetArchInfo(row.arch).audit_arch;
    data.nr = static_cast<int32_t>(*syscalls::NumberOf(row.arch, "clone"));
    const std::string what(ArchName(row.arch));
    SeccompData flags = data;
    flags.args[row.clone_flags] = 0x10000000;  // CLONE_NEWUSER
    EXPECT_EQ(Decide(*p, *ir, *program, flags, what), Action::Errno(7).ToSeccompRet()) << what;
    SeccompData tls = data;
    tls.args[row.tls] = 0x1234;
    EXPECT_EQ(Decide(*p, *ir, *program, tls, what), Action::Errno(9).ToSeccompRet()) << what;
    // Every other register holding those values decides nothing.
    for (int a = 0; a < 6; ++a) {
      SeccompData other = data;
      if (a != row.clone_flags) other.args[a] = 0x10000000;
      if (a == row.clone_flags || a == row.tls) continue;
      EXPECT_EQ(Decide(*p, *ir, *program, other, what), Action::Allow().ToSeccompRet()) << what << " arg" << a;
    }
  }
}

// The kernel itself judges the compiled filter: i386's clone takes tls fourth (CLONE_BACKWARDS),
// x86_64's fifth; a rule on `tls` must test those registers under `int 0x80` and `syscall`.
TEST(AbiArgumentsTest, KernelSeesTlsInTheI386Register) {
  auto oracle = testsupport::KernelOracle::Create();
  if (!oracle.ok())
    GTEST_SKIP() << "no kernel oracle here [feature: seccomp-filter] [feature: x86_64]: " << oracle.error().message;
  if (!oracle->SupportsI386()) GTEST_SKIP() << "int 0x80 (IA32 emulation) is disabled here [feature: ia32]";
  const auto p = Parse("arch x86_64 x86\ndefault allow\nerrno 9 clone if tls == 0x1234\n");
  ASSERT_TRUE(p.has_value());
  auto program = codegen::Compile(*p);
  ASSERT_TRUE(program.ok());
  std::vector<testsupport::OracleInput> inputs(4);
  inputs[0].abi = testsupport::OracleAbi::kI386;
  inputs[0].nr = 120;  // i386 clone
  inputs[0].args[3] = 0x1234;
  inputs[1] = inputs[0];
  inputs[1].args[3] = 0;
  inputs[1].args[4] = 0x1234;
  inputs[2].abi = testsupport::OracleAbi::kX86_64;
  inputs[2].nr = 56;  // x86_64 clone
  inputs[2].args[4] = 0x1234;
  inputs[3] = inputs[2];
  inputs[3].args[4] = 0;
  inputs[3].args[3] = 0x1234;
  auto run = oracle->Run(*program, inputs);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(run->accepted) << run->install_errno;
  const uint32_t expected[] = {Action::Errno(9).ToSeccompRet(), Action::Allow().ToSeccompRet(),
                               Action::Errno(9).ToSeccompRet(), Action::Allow().ToSeccompRet()};
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_FALSE(run->outcomes[i].killed);
    EXPECT_EQ((*program)[run->outcomes[i].ret_offset].k, expected[i]) << "input " << i;
  }
}

}  // namespace
}  // namespace sysfence::differential
