// SPDX-License-Identifier: Apache-2.0
#include "codegen/compile.h"

#include <gtest/gtest.h>

#include "inspect/cache_analysis.h"
#include "bpf/evaluator.h"
#include "bpf/verifier.h"
#include "inspect/stats.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::codegen {
namespace {

using policy::CompareOp;

policy::Rule MakeRule(Action action, std::vector<std::string> targets) {
  policy::Rule rule;
  rule.action = action;
  rule.targets = std::move(targets);
  return rule;
}

policy::Condition Compare(int arg, CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
  policy::Condition c;
  c.compare = {arg, op, value, mask};
  return c;
}

uint32_t Nr(Arch arch, std::string_view name) { return *syscalls::NumberOf(arch, name); }

bpf::SeccompData Data(Arch arch, uint32_t nr, std::initializer_list<uint64_t> args = {}) {
  bpf::SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  data.nr = static_cast<int32_t>(nr);
  int i = 0;
  for (uint64_t a : args) data.args[i++] = a;
  return data;
}

Action Decide(const bpf::Program& program, const bpf::SeccompData& data) {
  auto run = bpf::Evaluate(program, data);
  EXPECT_TRUE(run.ok());
  return run.ok() ? run->action : Action::KillProcess();
}

bpf::Program CompileOk(const policy::Policy& policy, const CompileOptions& options = {}) {
  auto program = Compile(policy, options);
  EXPECT_TRUE(program.ok()) << program.error().message;
  if (!program.ok()) return {};
  EXPECT_TRUE(bpf::Verify(*program).ok()) << bpf::FindVerifyFailure(*program)->ToString();
  return *program;
}

policy::Policy SmallPolicy() {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  p.default_action = Action::Errno(1);
  p.badarch_action = Action::KillProcess();
  policy::Rule tiocsti = MakeRule(Action::Errno(13), {"ioctl"});
  tiocsti.condition = Compare(1, CompareOp::kEq, 0x5412);
  p.rules = {tiocsti, MakeRule(Action::Allow(), {"read", "write", "ioctl", "exit_group"})};
  return p;
}

TEST(CompileTest, PrologueChecksTheArchitectureFirst) {
  const bpf::Program program = CompileOk(SmallPolicy());
  ASSERT_GE(program.size(), 3u);
  EXPECT_EQ(program[0].code, bpf::op::kLd | bpf::op::kW | bpf::op::kAbs);
  EXPECT_EQ(program[0].k, bpf::offset::kArch);
  EXPECT_EQ(program[1].k, GetArchInfo(Arch::kX86_64).audit_arch);
  // Unlisted ABIs, including i386 reached through int 0x80, get badarch whatever the number.
  for (Arch other : {Arch::kX86, Arch::kAarch64, Arch::kArm}) {
    EXPECT_EQ(Decide(program, Data(other, 0)), Action::KillProcess()) << ArchName(other);
    EXPECT_EQ(Decide(program, Data(other, 3)), Action::KillProcess()) << ArchName(other);
  }
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, Nr(Arch::kX86_64, "read"))), Action::Allow());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, Nr(Arch::kX86_64, "openat"))), Action::Errno(1));
}

TEST(CompileTest, X32NumbersAreBadarchUnlessX32IsListed) {
  policy::Policy p = SmallPolicy();
  bpf::Program program = CompileOk(p);
  const uint32_t read = Nr(Arch::kX86_64, "read");
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, kX32SyscallBit | read)), Action::KillProcess());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, Nr(Arch::kX32, "read"))), Action::KillProcess());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, 0xffffffffu)), Action::KillProcess());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, 0x80000000u)), Action::Errno(1));  // no x32 bit: x86_64's default

  p.arches = {Arch::kX86_64, Arch::kX32};
  program = CompileOk(p);
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, Nr(Arch::kX32, "read"))), Action::Allow());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, Nr(Arch::kX32, "openat"))), Action::Errno(1));
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, read)), Action::Allow());

  p.arches = {Arch::kX32};  // x32 alone: native x86_64 numbers are the unlisted ABI
  program = CompileOk(p);
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, read)), Action::KillProcess());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, Nr(Arch::kX32, "read"))), Action::Allow());
}

TEST(CompileTest, I386HasItsOwnTable) {
  policy::Policy p = SmallPolicy();
  p.arches = {Arch::kX86_64, Arch::kX86};
  const bpf::Program program = CompileOk(p);
  // read is 0 on x86_64 and 3 on i386; 0 on i386 is restart_syscall (default).
  EXPECT_EQ(Decide(program, Data(Arch::kX86, Nr(Arch::kX86, "read"))), Action::Allow());
  EXPECT_EQ(Decide(program, Data(Arch::kX86, 0)), Action::Errno(1));
  // 32-bit ABI: ioctl's cmd compares the low word only.
  EXPECT_EQ(Decide(program, Data(Arch::kX86, Nr(Arch::kX86, "ioctl"), {0, 0x5412})), Action::Errno(13));
}

TEST(CompileTest, HighBitsOfThirtyTwoBitArgumentsDoNotBypassAMatch) {
  const bpf::Program program = CompileOk(SmallPolicy());
  const uint32_t ioctl = Nr(Arch::kX86_64, "ioctl");
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, ioctl, {1, 0x5412})), Action::Errno(13));
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, ioctl, {1, (uint64_t{1} << 32) | 0x5412})), Action::Errno(13));
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, ioctl, {1, 0xffffffff00005412ull})), Action::Errno(13));
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, ioctl, {1, 0x5413})), Action::Allow());
}

TEST(CompileTest, SixtyFourBitComparisonsSplitCorrectly) {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  policy::Rule rule = MakeRule(Action::Allow(), {"lseek"});  // offset: 64-bit
  rule.condition = Compare(1, CompareOp::kLt, 0x100000000ull);
  p.rules = {rule};
  const bpf::Program program = CompileOk(p);
  const uint32_t lseek = Nr(Arch::kX86_64, "lseek");
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, lseek, {0, 0xffffffffu})), Action::Allow());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, lseek, {0, 0x100000000ull})), Action::Errno(1));
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, lseek, {0, 0x100000001ull})), Action::Errno(1));
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, lseek, {0, 0})), Action::Allow());
}

TEST(CompileTest, MaskedComparisonsUseAnd) {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  policy::Rule rule = MakeRule(Action::Allow(), {"mmap"});
  rule.condition = Compare(2, CompareOp::kMaskedEq, 0x1, 0x5);  // (prot & PROT_READ|PROT_EXEC) == PROT_READ
  p.rules = {rule};
  const bpf::Program program = CompileOk(p);
  bool has_and = false;
  for (const bpf::Instruction& insn : program) has_and |= insn.code == (bpf::op::kAlu | bpf::op::kAnd);
  EXPECT_TRUE(has_and);
  const uint32_t mmap = Nr(Arch::kX86_64, "mmap");
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, mmap, {0, 0, 0x3})), Action::Allow());
  EXPECT_EQ(Decide(program, Data(Arch::kX86_64, mmap, {0, 0, 0x5})), Action::Errno(1));
}

TEST(CompileTest, SixteenBitArgumentsAreMaskedAndAllowsStayCacheable) {
  // umode_t is 16 bits: fchmodat(dfd, path, 0x109ed) sets mode 04755.
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  p.default_action = Action::Errno(38);
  policy::Rule exact = MakeRule(Action::Errno(1), {"fchmodat"});
  exact.condition = Compare(2, CompareOp::kEq, 04755);
  policy::Rule order = MakeRule(Action::Errno(13), {"chmod"});
  order.condition = Compare(1, CompareOp::kGt, 0777);
  p.rules = {exact, order, MakeRule(Action::Allow(), {"read", "write", "fchmodat", "chmod"})};
  const bpf::Program program = CompileOk(p);
  size_t and_ffff = 0;
  for (const bpf::Instruction& insn : program) {
    and_ffff += insn.code == (bpf::op::kAlu | bpf::op::kAnd) && insn.k == 0xffff ? 1 : 0;
  }
  EXPECT_GE(and_ffff, 2u);
  for (Arch arch : {Arch::kX86_64, Arch::kX86}) {
    const uint32_t fchmodat = Nr(arch, "fchmodat"), chmod = Nr(arch, "chmod");
    EXPECT_EQ(Decide(program, Data(arch, fchmodat, {0, 0, 0x109ed})), Action::Errno(1));
    EXPECT_EQ(Decide(program, Data(arch, fchmodat, {0, 0, 04755})), Action::Errno(1));
    EXPECT_EQ(Decide(program, Data(arch, fchmodat, {0, 0, 0x10755})), Action::Allow());
    EXPECT_EQ(Decide(program, Data(arch, chmod, {0, 0x10000 | 04000})), Action::Errno(13));
    EXPECT_EQ(Decide(program, Data(arch, chmod, {0, 0x10000 | 0644})), Action::Allow());
  }
  const inspect::CompileStats stats = inspect::ComputeStats(program, p);
  EXPECT_EQ(stats.cacheable_allows, stats.allows);
  EXPECT_TRUE(inspect::IsConstantAllow(program, GetArchInfo(Arch::kX86_64).audit_arch, Nr(Arch::kX86_64, "read")));
}

TEST(CompileTest, EveryUnconditionalAllowIsCacheable) {
  policy::Policy p = SmallPolicy();
  p.arches = {Arch::kX86_64, Arch::kX86, Arch::kX32};
  policy::Rule mmap = MakeRule(Action::Allow(), {"mmap", "mprotect"});
  mmap.condition = Compare(2, CompareOp::kMaskedEq, 0, 0x4);
  p.rules.push_back(mmap);
  p.rules.push_back(MakeRule(Action::Allow(), {"@" + std::string(syscalls::AllGroups().front().name.substr(1))}));
  const bpf::Program program = CompileOk(p);
  const inspect::CompileStats stats = inspect::ComputeStats(program, p);
  EXPECT_GT(stats.allows, 10u);
  EXPECT_EQ(stats.cacheable_allows, stats.allows);
  // And the kernel's own view of the native and compat ABIs agrees.
  const inspect::CacheReport report = inspect::AnalyzeCache(program, Arch::kX86_64);
  EXPECT_TRUE(inspect::IsConstantAllow(program, GetArchInfo(Arch::kX86_64).audit_arch, Nr(Arch::kX86_64, "read")));
  EXPECT_FALSE(inspect::IsConstantAllow(program, GetArchInfo(Arch::kX86_64).audit_arch, Nr(Arch::kX86_64, "ioctl")));
  EXPECT_GT(report.skipped_count, 3u);
}

TEST(CompileTest, StatsReportPathsOverTheFirstAbi) {
  const policy::Policy p = SmallPolicy();
  const bpf::Program program = CompileOk(p);
  const inspect::CompileStats stats = inspect::ComputeStats(program, p);
  EXPECT_EQ(stats.instructions, program.size());
  EXPECT_GE(stats.worst_path, 4u);
  EXPECT_LE(stats.worst_path, 12u);
  EXPECT_GT(stats.mean_path, 3.0);
  EXPECT_LE(stats.mean_path, static_cast<double>(stats.worst_path));
  EXPECT_EQ(stats.allows, 3u);  // read, write, exit_group (ioctl is conditional)
  EXPECT_EQ(stats.cacheable_allows, 3u);
}

TEST(CompileTest, FrequenciesPutHotSyscallsNearTheRoot) {
  // Many distinct outcomes make a deep tree; weighting must shorten the hot syscall's path.
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  const auto table = syscalls::AllOf(Arch::kX86_64);
  for (size_t i = 0; i < table.size(); i += 2) {
    p.rules.push_back(MakeRule(Action::Errno(static_cast<uint16_t>(2 + i % 200)), {std::string(table[i].name)}));
  }
  const uint32_t hot = table[table.size() / 3 * 2].number;
  const bpf::Program balanced = CompileOk(p);
  CompileOptions options;
  options.frequencies = {{{Arch::kX86_64, hot}, 1000000},
                         {{Arch::kX86_64, *syscalls::NumberOf(Arch::kX86_64, "read")}, 10}};
  const bpf::Program weighted = CompileOk(p, options);
  const auto data = Data(Arch::kX86_64, hot);
  const size_t before = bpf::Evaluate(balanced, data)->executed;
  const size_t after = bpf::Evaluate(weighted, data)->executed;
  EXPECT_LT(after, before);
  EXPECT_LE(after, 6u);  // ld arch, jeq, ld nr, one or two jge, ret
  // Same decisions either way.
  for (const auto& entry : table) {
    const auto d = Data(Arch::kX86_64, entry.number);
    EXPECT_EQ(bpf::Evaluate(balanced, d)->value, bpf::Evaluate(weighted, d)->value);
  }
}

TEST(CompileTest, ArgumentsAreLoadedOnlyUnderTheirSyscall) {
  const policy::Policy p = SmallPolicy();
  const bpf::Program program = CompileOk(p);
  for (const auto& entry : syscalls::AllOf(Arch::kX86_64)) {
    bpf::EvalOptions options;
    options.record_path = true;
    auto run = bpf::Evaluate(program, Data(Arch::kX86_64, entry.number), options);
    ASSERT_TRUE(run.ok());
    bool loads_argument = false;
    for (uint32_t pc : run->path) {
      loads_argument |= program[pc].code == (bpf::op::kLd | bpf::op::kW | bpf::op::kAbs) && program[pc].k >= 16;
    }
    EXPECT_EQ(loads_argument, entry.name == "ioctl") << entry.name;
  }
}

TEST(CompileTest, PoliciesPastTheLimitAreRejectedWithTheCount) {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  policy::Rule rule = MakeRule(Action::Allow(), {"ioctl"});
  // Distinct errnos per value: nothing can be shared, about two instructions per value.
  for (uint32_t i = 0; i < 2500; ++i) {
    policy::Rule r = MakeRule(Action::Errno(static_cast<uint16_t>(1 + i % 4000)), {"ioctl"});
    r.condition = Compare(1, CompareOp::kEq, 0x1000 + i);
    p.rules.push_back(r);
  }
  auto program = Compile(p);
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.error().code, ErrorCode::kLimit);
  EXPECT_NE(program.error().message.find("4096"), std::string::npos);
  EXPECT_NE(program.error().message.find("instructions"), std::string::npos);
  // Just under the limit compiles.
  p.rules.resize(1500);
  auto fits = Compile(p);
  ASSERT_TRUE(fits.ok()) << fits.error().message;
  EXPECT_LE(fits->size(), bpf::kMaxInstructions);
  EXPECT_TRUE(bpf::Verify(*fits).ok());
  EXPECT_EQ(Decide(*fits, Data(Arch::kX86_64, Nr(Arch::kX86_64, "ioctl"), {0, 0x1000 + 1499})), Action::Errno(1500));
}

TEST(CompileTest, BadPoliciesAreErrors) {
  policy::Policy p;
  EXPECT_EQ(Compile(p).error().code, ErrorCode::kInvalidInput);
  p.arches = {Arch::kX86_64};
  p.rules = {MakeRule(Action::Allow(), {"no_such_syscall"})};
  EXPECT_EQ(Compile(p).error().code, ErrorCode::kNotFound);
}

TEST(CompileTest, AllAbisCompileAndAgreeWithTheReferenceEvaluator) {
  policy::Policy p = SmallPolicy();
  p.arches.assign(AllArches().begin(), AllArches().end());
  const bpf::Program program = CompileOk(p);
  for (Arch arch : AllArches()) {
    for (const auto& entry : syscalls::AllOf(arch)) {
      for (uint64_t cmd : {uint64_t{0}, uint64_t{0x5412}, (uint64_t{7} << 32) | 0x5412}) {
        const auto data = Data(arch, entry.number, {0, cmd});
        ASSERT_EQ(Decide(program, data), policy::Evaluate(p, data).action) << ArchName(arch) << " " << entry.name;
      }
    }
  }
}

TEST(CompileTest, ChainsLongerThanAProgramAreRefusedBeforeRecursing) {
  // 100 000 distinct comparisons on one syscall: a test chain that deep used to overflow the stack.
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  for (uint32_t i = 0; i < 100000; ++i) {
    policy::Rule r = MakeRule(Action::Allow(), {"write"});
    r.condition = Compare(0, CompareOp::kEq, i);
    p.rules.push_back(r);
  }
  auto program = Compile(p);
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.error().code, ErrorCode::kLimit);
  EXPECT_NE(program.error().message.find("too many conditions: 100000"), std::string::npos)
      << program.error().message;
}

}  // namespace
}  // namespace sysfence::codegen
