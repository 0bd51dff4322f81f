// SPDX-License-Identifier: Apache-2.0
#include "tests/differential/libseccomp_defects.h"

#include "core/arch.h"
#include "formats/seccomp_order.h"
#include "syscalls/syscalls.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <set>
#include <vector>

namespace sysfence::differential {
namespace {

constexpr uint16_t kClassMask = 0x07;
constexpr uint16_t kLd = 0x00;
constexpr uint16_t kAlu = 0x04;
constexpr uint16_t kJmp = 0x05;
constexpr uint16_t kRet = 0x06;
constexpr uint16_t kAbs = 0x20;

// For each instruction, the offsets of the words the accumulator may hold there (-1: none loaded).
std::vector<std::set<int64_t>> LoadedWords(const bpf::Program& program) {
  std::vector<std::set<int64_t>> loaded(program.size() + 1);
  if (program.empty()) return loaded;
  loaded[0] = {-1};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const bpf::Instruction& insn = program[pc];
    const std::set<int64_t> here = loaded[pc];
    if (here.empty()) continue;
    auto flow = [&](size_t target, const std::set<int64_t>& state) {
      if (target < loaded.size()) loaded[target].insert(state.begin(), state.end());
    };
    const uint16_t cls = insn.code & kClassMask;
    if (cls == kLd && (insn.code & 0xe0) == kAbs) {
      flow(pc + 1, {static_cast<int64_t>(insn.k)});
    } else if (cls == kJmp) {
      if ((insn.code & 0xf0) == 0x00) {
        flow(pc + 1 + insn.k, here);
      } else {
        flow(pc + 1 + insn.jt, here);
        flow(pc + 1 + insn.jf, here);
      }
    } else if (cls != kRet) {
      flow(pc + 1, here);
    }
  }
  return loaded;
}

}  // namespace

bool PathTestsAStaleWord(const bpf::Program& program, const SeccompData& input) {
  const std::vector<std::set<int64_t>> loaded = LoadedWords(program);
  unsigned char bytes[sizeof(SeccompData)];
  std::memcpy(bytes, &input, sizeof bytes);
  uint32_t a = 0;
  for (size_t pc = 0; pc < program.size();) {
    const bpf::Instruction& insn = program[pc];
    const uint16_t cls = insn.code & kClassMask;
    if (cls == kRet) return false;
    if (cls == kLd && (insn.code & 0xe0) == kAbs && insn.k + 4 <= sizeof bytes) {
      std::memcpy(&a, bytes + insn.k, 4);
      ++pc;
    } else if (cls == kAlu && insn.code == (kAlu | 0x50)) {  // and #k
      a &= insn.k;
      ++pc;
    } else if (cls == kJmp) {
      const uint16_t op = insn.code & 0xf0;
      if (op == 0x00) {
        pc += 1 + insn.k;
        continue;
      }
      if (loaded[pc].size() > 1) return true;
      bool taken;
      switch (op) {
        case 0x10: taken = a == insn.k; break;
        case 0x20: taken = a > insn.k; break;
        case 0x30: taken = a >= insn.k; break;
        case 0x40: taken = (a & insn.k) != 0; break;
        default: return false;
      }
      pc += 1 + (taken ? insn.jt : insn.jf);
    } else {
      return false;
    }
  }
  return false;
}

bool MergesRangeRulesOnAHighWord(const policy::Policy& policy, const SeccompData& input) {
  const auto arch = ArchOfSyscall(input.arch, static_cast<uint32_t>(input.nr));
  if (!arch || !GetArchInfo(*arch).is_64bit || *arch == Arch::kX32) return false;  // one word per argument there
  const auto name = syscalls::NameOf(*arch, static_cast<uint32_t>(input.nr));
  if (!name) return false;
  // The rules' conjunctions as libseccomp receives them: sorted by argument, values narrowed.
  std::vector<std::vector<policy::Comparison>> chains;
  for (const policy::Rule& rule : policy.rules) {
    if (!rule.condition || std::find(rule.targets.begin(), rule.targets.end(), std::string(*name)) == rule.targets.end()) {
      continue;
    }
    if (!rule.only_arches.empty() &&
        std::find(rule.only_arches.begin(), rule.only_arches.end(), *arch) == rule.only_arches.end()) {
      continue;
    }
    std::vector<policy::Comparison> chain;
    const policy::Condition& c = *rule.condition;
    if (c.kind == policy::Condition::Kind::kCompare) {
      chain.push_back(c.compare);
    } else if (c.kind == policy::Condition::Kind::kAnd) {
      for (const policy::Condition& child : c.children) {
        if (child.kind != policy::Condition::Kind::kCompare) return false;
        chain.push_back(child.compare);
      }
    } else {
      return false;
    }
    for (policy::Comparison& comparison : chain) {
      comparison.value = policy::EffectiveValue(comparison.value, syscalls::ArgWidthBits(*arch, *name, comparison.arg));
    }
    std::stable_sort(chain.begin(), chain.end(), [](const auto& a, const auto& b) { return a.arg < b.arg; });
    chains.push_back(std::move(chain));
  }
  for (size_t i = 0; i < chains.size(); ++i) {
    for (size_t j = i + 1; j < chains.size(); ++j) {
      const auto x = formats::WordNodes(chains[i]);
      const auto y = formats::WordNodes(chains[j]);
      bool shared_range_high = false;
      size_t k = 0;
      for (; k < x.size() && k < y.size() && x[k].Same(y[k]); ++k) {
        shared_range_high |= x[k].arg_priority % 2 == 1 && x[k].node_op == policy::CompareOp::kGt;
      }
      const bool differ_below = k < x.size() || k < y.size();
      if (shared_range_high && differ_below) return true;
    }
  }
  return false;
}

}  // namespace sysfence::differential
