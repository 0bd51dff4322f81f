// SPDX-License-Identifier: Apache-2.0
// The named causes of libseccomp disagreements, each on a constructed example, and the random
// generator's promise about x32.
#include "tests/differential/libseccomp_defects.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/arch.h"
#include "syscalls/syscalls.h"
#include "tests/differential/random_policies.h"

namespace sysfence::differential {
namespace {

bpf::Instruction Insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) { return bpf::Instruction{code, jt, jf, k}; }

// ld [args[0] low]; on 1 load args[1] and jump into a test the other path reaches with args[0]
// still loaded; on 2 go there directly; else kill.
bpf::Program StaleProgram() {
  return {
      Insn(0x20, 0, 0, 16),  // 0: ld [16]
      Insn(0x15, 0, 2, 1),   // 1: jeq #1 -> 2 : 4
      Insn(0x20, 0, 0, 24),  // 2: ld [24]
      Insn(0x05, 0, 0, 1),   // 3: ja 5
      Insn(0x15, 0, 2, 2),   // 4: jeq #2 -> 5 : 7
      Insn(0x15, 0, 1, 5),   // 5: jeq #5 -> 6 : 7, reached with args[0] or args[1] loaded
      Insn(0x06, 0, 0, 0x7fff0000u),
      Insn(0x06, 0, 0, 0x80000000u),
  };
}

TEST(LibseccompDefects, PathTestsAStaleWordOnlyOnPathsThroughTheMixedTest) {
  SeccompData d;
  d.args[0] = 3;  // 0, 1, 4, 7: every test sees args[0] only
  EXPECT_FALSE(PathTestsAStaleWord(StaleProgram(), d));
  d.args[0] = 1;  // 0, 1, 2, 3, 5
  EXPECT_TRUE(PathTestsAStaleWord(StaleProgram(), d));
  d.args[0] = 2;  // 0, 1, 4, 5
  EXPECT_TRUE(PathTestsAStaleWord(StaleProgram(), d));
}

policy::Rule Rule(Action action, const char* name, std::vector<policy::Comparison> all) {
  policy::Rule rule;
  rule.action = action;
  rule.targets = {name};
  policy::Condition c;
  if (all.size() == 1) {
    c.compare = all[0];
  } else {
    c.kind = policy::Condition::Kind::kAnd;
    for (const auto& comparison : all) {
      policy::Condition leaf;
      leaf.compare = comparison;
      c.children.push_back(leaf);
    }
  }
  rule.condition = c;
  return rule;
}

SeccompData Call(Arch arch, const char* name) {
  SeccompData d;
  d.arch = GetArchInfo(arch).audit_arch;
  d.nr = static_cast<int32_t>(*syscalls::NumberOf(arch, name));
  return d;
}

TEST(LibseccompDefects, MergedRangeRulesShareTheHighWordsGreaterNode) {
  using policy::CompareOp;
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  p.default_action = Action::KillProcess();
  // Seed 4242's policy 3711: both rules compare pid with > / >= on high word 0.
  p.rules = {Rule(Action::Trap(), "sched_setscheduler", {{0, CompareOp::kGt, 0x80000000}, {5, CompareOp::kNe, 7}}),
             Rule(Action::Trap(), "sched_setscheduler", {{5, CompareOp::kEq, 0x1a28}, {0, CompareOp::kGe, 0x80000000}})};
  EXPECT_TRUE(MergesRangeRulesOnAHighWord(p, Call(Arch::kX86_64, "sched_setscheduler")));
  EXPECT_FALSE(MergesRangeRulesOnAHighWord(p, Call(Arch::kX86_64, "getpid")));
  EXPECT_FALSE(MergesRangeRulesOnAHighWord(p, Call(Arch::kX86, "sched_setscheduler")));  // one word per argument
  // Equalities share the high word's == node, not a > node.
  p.rules = {Rule(Action::Trap(), "sched_setscheduler", {{0, CompareOp::kEq, 1}, {5, CompareOp::kNe, 7}}),
             Rule(Action::Trap(), "sched_setscheduler", {{0, CompareOp::kEq, 2}})};
  EXPECT_FALSE(MergesRangeRulesOnAHighWord(p, Call(Arch::kX86_64, "sched_setscheduler")));
  // Different high words: nothing shared.
  p.rules = {Rule(Action::Trap(), "sched_setscheduler", {{0, CompareOp::kGt, 1}, {5, CompareOp::kNe, 7}}),
             Rule(Action::Trap(), "sched_setscheduler", {{0, CompareOp::kGt, uint64_t{1} << 33}})};
  EXPECT_FALSE(MergesRangeRulesOnAHighWord(p, Call(Arch::kX86_64, "sched_setscheduler")));
}

// RandomLibseccompPolicy promises: with x32 (where libseccomp compares only low halves and
// sysfence long arguments in full) every constant fits 32 bits unsigned.
TEST(LibseccompDefects, GeneratorKeepsX32ConstantsInTheLowWord) {
  std::mt19937_64 rng(4242);
  int with_x32 = 0;
  for (int i = 0; i < 3000; ++i) {
    const policy::Policy p = RandomLibseccompPolicy(rng);
    if (std::find(p.arches.begin(), p.arches.end(), Arch::kX32) == p.arches.end()) continue;
    ++with_x32;
    for (const policy::Rule& rule : p.rules) {
      std::vector<const policy::Condition*> stack;
      if (rule.condition) stack.push_back(&*rule.condition);
      while (!stack.empty()) {
        const policy::Condition* c = stack.back();
        stack.pop_back();
        for (const auto& child : c->children) stack.push_back(&child);
        if (c->kind != policy::Condition::Kind::kCompare) continue;
        ASSERT_LE(c->compare.value, 0xffffffffu) << "policy " << i;
        ASSERT_LE(c->compare.mask & ~uint64_t{0xffffffff}, 0u) << "policy " << i;
      }
    }
  }
  EXPECT_GT(with_x32, 300);
}

}  // namespace
}  // namespace sysfence::differential
