// SPDX-License-Identifier: Apache-2.0
#include "inspect/decompile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include <fmt/format.h>

#include "inspect/inspect_test_util.h"
#include "policy/evaluate.h"
#include "policy/printer.h"

namespace sysfence::inspect {
namespace {

using testing::Assemble;
using testing::CompilePolicy;
using testing::DataFile;

RoundTrip DecompileAndProve(const FilterStack& stack, Decompilation* out = nullptr) {
  auto result = Decompile(stack);
  EXPECT_TRUE(result.ok()) << result.error().message;
  if (!result.ok()) return {};
  const std::string text = policy::PrintPolicy(result->policy);
  auto trip = ProveDecompiled(stack, text);
  EXPECT_TRUE(trip.ok()) << trip.error().message << "\n" << text;
  if (out != nullptr) *out = *result;
  return trip.ok() ? *trip : RoundTrip{};
}

bool Mentions(const std::vector<std::string>& lines, std::string_view what) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(what) != std::string::npos; });
}

TEST(DecompileTest, OurOwnPoliciesComeBackEquivalentOnEveryInput) {
  const char* policies[] = {
      "arch x86_64\ndefault errno EPERM\nallow read write exit_group\n",
      "arch x86_64 x86 x32\ndefault kill\nbadarch errno ENOSYS\nallow mmap on x86_64 x32 if (prot & PROT_EXEC) == 0\n"
      "errno EACCES openat if (flags & O_CREAT) == O_CREAT\nallow openat\nallow lseek on x86_64 if offset >= 0x100000000\n",
      "arch aarch64 arm\ndefault log\nkill ptrace\ntrap 3 socket if family in {AF_INET, AF_INET6}\n",
  };
  for (const char* text : policies) {
    const bpf::Program program = CompilePolicy(text);
    const RoundTrip trip = DecompileAndProve({program});
    EXPECT_TRUE(trip.report.Equivalent()) << text;
    EXPECT_GT(trip.report.regions, 0u);
  }
}

TEST(DecompileTest, DockersProfileComesBackEquivalent) {
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({CompilePolicy(DataFile("moby-default.json"))}, &result);
  EXPECT_TRUE(trip.report.Equivalent());
  EXPECT_TRUE(result.unexpressed.empty());
  EXPECT_EQ(result.policy.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kX86, Arch::kX32}));
}

// Filters nobody here wrote, dumped live from Debian programs (tests/data/README.md).
TEST(DecompileTest, RuncsFilterDecidesEverySyscallAlike) {
  Decompilation result;
  const bpf::Program program = Assemble(DataFile("runc-moby-default.asm"));
  ASSERT_EQ(program.size(), 1099u);
  const RoundTrip trip = DecompileAndProve({program}, &result);
  EXPECT_EQ(trip.Unexplained(), 0u);
  // runc answers ENOSYS for numbers above the profile's highest syscall, EPERM for the gaps. The
  // named ones among them become rules; past the table a policy whose default is EPERM answers
  // ENOSYS by itself (the `unknown` range): runc's stub comes back exactly.
  EXPECT_TRUE(trip.report.Equivalent());
  EXPECT_EQ(trip.only_unnamed_numbers, 0u);
  EXPECT_FALSE(Mentions(result.unexpressed, "numbers that name no syscall"));
  EXPECT_EQ(result.policy.default_action, Action::Errno(EPERM));
  EXPECT_EQ(policy::UnknownAction(result.policy), Action::Errno(ENOSYS));
  EXPECT_EQ(result.policy.badarch_action, Action::KillThread());
}

TEST(DecompileTest, SshdsFilterDiffersOnlyInIgnoredBits) {
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({Assemble(DataFile("sshd-preauth.asm"))}, &result);
  EXPECT_EQ(trip.Unexplained(), 0u);
  EXPECT_EQ(trip.only_unnamed_numbers, 0u);
  EXPECT_GT(trip.only_ignored_bits, 0u);  // mmap's prot compared on both halves by libseccomp-style code
  for (const Difference& d : trip.report.differences) {  // each one needs garbage above 32 bits
    EXPECT_TRUE(std::any_of(std::begin(d.witness.args), std::end(d.witness.args), [](uint64_t a) { return a >> 32 != 0; }));
  }
}

TEST(DecompileTest, VsftpdsFilterComesBackExactly) {
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({Assemble(DataFile("vsftpd-prelogin.asm"))}, &result);
  EXPECT_TRUE(trip.report.Equivalent());
  EXPECT_TRUE(result.unexpressed.empty());
}

TEST(DecompileTest, TorsPointerComparisonsAreNamedAsInexpressible) {
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({Assemble(DataFile("tor-sandbox.asm"))}, &result);
  EXPECT_GT(trip.Unexplained(), 0u);
  EXPECT_TRUE(Mentions(result.unexpressed, "a pointer (a policy cannot compare pointers)"));
}

TEST(DecompileTest, ScratchMemoryAndMasksDecompile) {
  const bpf::Program program = Assemble(R"(
      ld [arch]
      st M[0]
      ld M[0]
      jeq #0xc000003e, ok, bad
    ok:
      ld [nr]
      tax
      txa
      jeq #9, mmap, other
    mmap:
      ld [args[2].lo]
      and #4
      jeq #4, deny, allow
    deny:
      ret errno(EACCES)
    other:
      jgt #200, deny2, allow
    deny2:
      ret kill
    allow:
      ret allow
    bad:
      ret kill
  )");
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({program}, &result);
  EXPECT_TRUE(trip.report.Equivalent()) << policy::PrintPolicy(result.policy);
}

// A number in a gap of the table decided unlike the other gaps: a policy gives all gaps the
// default, so the decompiler names it and the proof excuses only that difference.
TEST(DecompileTest, AGapNumberDecidedOtherwiseIsNamedAndExcused) {
  const bpf::Program program = Assemble(
      "ld [arch]\njeq #0xc000003e, ok, bad\nok: ld [nr]\njeq #400, gap, other\n"
      "gap: ret errno(ENOSYS)\nother: ret errno(EPERM)\nbad: ret kill\n");
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({program}, &result);
  EXPECT_FALSE(trip.report.Equivalent());
  EXPECT_EQ(trip.Unexplained(), 0u);
  EXPECT_GT(trip.only_unnamed_numbers, 0u);
  EXPECT_TRUE(Mentions(result.unexpressed, "numbers that name no syscall"));
}

// Numbers past the table decided otherwise than the default would have them: an `unknown` line,
// and the proof holds on every input (no excuse for that range).
TEST(DecompileTest, NumbersPastTheTableGetAnUnknownLine) {
  const uint32_t past = policy::HighestKnownNumber(Arch::kX86_64);
  struct Case {
    const char* beyond;  // what the filter answers past the table
    std::optional<Action> unknown_action;
    bool follows_default;
  };
  const Case cases[] = {
      {"allow", Action::Allow(), false},
      {"errno(EPERM)", std::nullopt, true},  // the default itself: `unknown default`
      {"errno(ENOSYS)", std::nullopt, false},  // what the default EPERM gives anyway: no line
  };
  for (const Case& c : cases) {
    const bpf::Program program = Assemble(fmt::format(
        "ld [arch]\njeq #0xc000003e, ok, bad\nok: ld [nr]\njset #0x40000000, bad, x86_64\n"
        "x86_64: jgt #{}, beyond, inside\n"
        "beyond: ret {}\ninside: ret errno(EPERM)\nbad: ret kill\n", past, c.beyond));
    Decompilation result;
    const RoundTrip trip = DecompileAndProve({program}, &result);
    EXPECT_TRUE(trip.report.Equivalent()) << c.beyond << "\n" << policy::PrintPolicy(result.policy);
    EXPECT_EQ(result.policy.arches, std::vector<Arch>{Arch::kX86_64}) << c.beyond;
    EXPECT_EQ(result.policy.default_action, Action::Errno(EPERM)) << c.beyond;
    EXPECT_EQ(result.policy.unknown_action, c.unknown_action) << c.beyond;
    EXPECT_EQ(result.policy.unknown_follows_default, c.follows_default) << c.beyond;
  }
}

TEST(DecompileTest, InstructionPointerTestsAreNamedAndCounted) {
  const bpf::Program program = Assemble(
      "ld [arch]\njeq #0xc000003e, ok, bad\nok: ld [instruction_pointer.lo]\njgt #0x1000, a, k\n"
      "a: ret allow\nk: ret kill\nbad: ret kill\n");
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({program}, &result);
  EXPECT_TRUE(Mentions(result.unexpressed, "instruction pointer"));
  EXPECT_GT(trip.Unexplained(), 0u);
}

TEST(DecompileTest, StackedFiltersNameTheDecider) {
  const bpf::Program base = CompilePolicy("arch x86_64\ndefault allow\nerrno EPERM ptrace\n");
  const bpf::Program inner = CompilePolicy("arch x86_64\ndefault allow\nkill mount\n");
  Decompilation result;
  const RoundTrip trip = DecompileAndProve({base, inner}, &result);
  EXPECT_TRUE(trip.report.Equivalent());
  const std::string text = policy::PrintPolicy(result.policy);
  EXPECT_NE(text.find("# filter 1 decides\nkill mount"), std::string::npos) << text;
  EXPECT_NE(text.find("# filter 0 decides\nerrno EPERM ptrace"), std::string::npos) << text;
}

}  // namespace
}  // namespace sysfence::inspect
