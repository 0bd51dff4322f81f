// SPDX-License-Identifier: Apache-2.0
#include "codegen/compile.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <unordered_map>
#include <vector>

#include "bpf/program.h"
#include "codegen/assembler.h"
#include "codegen/compile_ir.h"
#include "codegen/search_tree.h"
#include "ir/build.h"
#include "ir/node_builder.h"
#include "syscalls/syscalls.h"

namespace sysfence::codegen {
namespace {

using ir::NodeId;

constexpr uint32_t kAllOnes = 0xffffffffu;
// Weight of a range no measured syscall number falls in: enough to keep such ranges from piling up.
constexpr double kUnmeasuredRangeWeight = 0.01;

// What the accumulator holds when a piece of code starts.
struct Accumulator {
  enum class Kind : uint8_t { kNr, kWord } kind = Kind::kNr;
  uint8_t arg = 0;
  ir::Half half = ir::Half::kLow;
  uint32_t mask = kAllOnes;
  bool operator==(const Accumulator&) const = default;
};

struct CodeKey {
  NodeId node;
  Accumulator acc;
  bool operator==(const CodeKey&) const = default;
};
struct CodeKeyHash {
  size_t operator()(const CodeKey& key) const {
    uint64_t h = uint64_t{key.node} << 24 | uint64_t{static_cast<uint8_t>(key.acc.kind)} << 16 |
                 uint64_t{key.acc.arg} << 8 | static_cast<uint8_t>(key.acc.half);
    return static_cast<size_t>(h * 0x9e3779b97f4a7c15ull ^ key.acc.mask);
  }
};

// Syscall numbers [first, last] dispatched to one canonical decision.
struct DispatchRange {
  uint32_t first;
  uint32_t last;
  NodeId node;
};

uint16_t JumpOpOf(ir::WordOp op) {
  switch (op) {
    case ir::WordOp::kEq: return bpf::op::kJeq;
    case ir::WordOp::kGt: return bpf::op::kJgt;
    case ir::WordOp::kGe: return bpf::op::kJge;
    case ir::WordOp::kSet: return bpf::op::kJset;
  }
  return bpf::op::kJeq;
}

uint32_t OffsetOf(uint8_t arg, ir::Half half) {
  return half == ir::Half::kHigh ? bpf::offset::ArgHi(arg) : bpf::offset::ArgLo(arg);
}

// Syscall numbers of `arch` a path measurement covers: 0 .. the largest number, with the ABI's bias.
struct Measured {
  uint64_t first = 1;
  uint64_t last = 0;
};

Measured MeasuredNumbers(Arch arch) {
  const auto all = syscalls::AllOf(arch);
  if (all.empty()) return {};
  const uint32_t bias = GetArchInfo(arch).nr_bias;
  return {bias, all.back().number};
}

class Compiler {
 public:
  Compiler(const ir::Ir& ir, const CompileOptions& options) : ir_(ir), options_(options), canonical_(nodes_) {}

  Result<bpf::Program> Run() {
    Canonicalize();
    // Code() recurses along the DAG, so a chain of more tests than a program can hold (100 000
    // rules, a 70 000-value set) would exhaust the stack before the assembler could refuse it.
    if (const size_t tests = ReachableTests(); tests > bpf::kMaxInstructions) {
      return MakeError(ErrorCode::kLimit, "too many conditions: " + std::to_string(tests) +
                                              " distinct argument tests cannot fit the " +
                                              std::to_string(bpf::kMaxInstructions) + " instructions of a filter");
    }
    const NodeId badarch = canonical_.Leaf({ir_.badarch_action, policy::DecidedBy::kDefault, -1});

    // Group ABIs by AUDIT_ARCH token, in the policy's order (x86_64 and x32 share one).
    struct Group {
      uint32_t audit;
      const ir::ArchTable* native = nullptr;
      const ir::ArchTable* x32 = nullptr;
    };
    std::vector<Group> groups;
    for (const ir::ArchTable& table : ir_.tables) {
      const uint32_t audit = GetArchInfo(table.arch).audit_arch;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.audit == audit; });
      if (it == groups.end()) it = groups.insert(groups.end(), Group{audit});
      (table.arch == Arch::kX32 ? it->x32 : it->native) = &table;
    }

    // Built last to first: each ABI's JEQ falls through to the next ABI's, the last to badarch.
    Label next = assembler_.Ret(ir_.badarch_action.ToSeccompRet());
    for (auto g = groups.rbegin(); g != groups.rend(); ++g) {
      const bool shares_with_x32 = g->audit == GetArchInfo(Arch::kX86_64).audit_arch;
      std::vector<DispatchRange> ranges = shares_with_x32 ? SplitByX32Bit(g->native, g->x32, badarch)
                                                          : Canonical(*g->native, 0, kAllOnes);
      const std::vector<double> weights = Weigh(ranges, {g->native, g->x32});
      const Label tree = Dispatch(ranges, weights);
      const Label load_nr = assembler_.LoadWord(bpf::offset::kNr, tree);
      next = assembler_.Jump(bpf::op::kJeq, g->audit, load_nr, next);
    }
    const Label entry = assembler_.LoadWord(bpf::offset::kArch, next);
    return assembler_.Finish(entry);
  }

 private:
  // Maps every IR node to a node of the same meaning without provenance (which rule decided), so
  // that ranges and tails deciding alike compile to one piece of code.
  void Canonicalize() {
    canonical_of_.resize(ir_.nodes.size());
    for (size_t i = 0; i < ir_.nodes.size(); ++i) {
      const ir::Node& node = ir_.nodes[i];
      canonical_of_[i] = node.is_leaf
                             ? canonical_.Leaf({node.outcome.action, policy::DecidedBy::kDefault, -1})
                             : canonical_.Test(node.test, canonical_of_[node.if_true], canonical_of_[node.if_false]);
    }
  }

  // How many canonical test nodes the dispatch reaches: each one becomes at least one jump, since
  // canonical nodes differ in meaning. Iterative, whatever the DAG's depth.
  size_t ReachableTests() const {
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<NodeId> pending;
    for (const ir::ArchTable& table : ir_.tables) {
      for (const ir::Range& range : table.ranges) pending.push_back(canonical_of_[range.node]);
    }
    size_t tests = 0;
    while (!pending.empty()) {
      const NodeId id = pending.back();
      pending.pop_back();
      if (seen[id]) continue;
      seen[id] = true;
      const ir::Node& node = nodes_[id];
      if (node.is_leaf) continue;
      ++tests;
      pending.push_back(node.if_true);
      pending.push_back(node.if_false);
    }
    return tests;
  }

  // The canonical ranges of `table` clipped to [first, last].
  std::vector<DispatchRange> Canonical(const ir::ArchTable& table, uint32_t first, uint32_t last) const {
    std::vector<DispatchRange> out;
    for (const ir::Range& range : table.ranges) {
      if (range.last < first || range.first > last) continue;
      Append(out, {std::max(range.first, first), std::min(range.last, last), canonical_of_[range.node]});
    }
    return out;
  }

  static void Append(std::vector<DispatchRange>& out, const DispatchRange& range) {
    if (!out.empty() && out.back().node == range.node) {
      out.back().last = range.last;
    } else {
      out.push_back(range);
    }
  }

  // AUDIT_ARCH_X86_64 carries two ABIs: numbers with the x32 bit are x32's, the others x86_64's; an
  // unlisted one gets badarch. One search covers both, so the x32 check costs no extra comparison.
  std::vector<DispatchRange> SplitByX32Bit(const ir::ArchTable* native, const ir::ArchTable* x32,
                                           NodeId badarch) const {
    std::vector<DispatchRange> out;
    for (uint32_t quarter = 0; quarter < 4; ++quarter) {
      const uint32_t first = quarter << 30;
      const uint32_t last = first | 0x3fffffffu;
      const ir::ArchTable* table = (first & kX32SyscallBit) != 0 ? x32 : native;
      if (table == nullptr) {
        Append(out, {first, last, badarch});
      } else {
        for (const DispatchRange& range : Canonical(*table, first, last)) Append(out, range);
      }
    }
    return out;
  }

  // Weight of each range: how many measured syscall numbers it holds (so the mean path over a
  // table is what the tree minimizes), plus, with a frequency profile, the recorded counts scaled
  // to dominate.
  std::vector<double> Weigh(const std::vector<DispatchRange>& ranges,
                            std::initializer_list<const ir::ArchTable*> tables) const {
    std::vector<double> weights(ranges.size(), kUnmeasuredRangeWeight);
    auto range_of = [&ranges](uint32_t nr) {
      auto it = std::upper_bound(ranges.begin(), ranges.end(), nr,
                                 [](uint32_t value, const DispatchRange& r) { return value < r.first; });
      return static_cast<size_t>(std::prev(it) - ranges.begin());
    };
    double measured_total = 0;
    for (const ir::ArchTable* table : tables) {
      if (table == nullptr) continue;
      const Measured m = MeasuredNumbers(table->arch);
      if (m.first > m.last) continue;
      measured_total += static_cast<double>(m.last - m.first + 1);
      for (size_t r = range_of(static_cast<uint32_t>(m.first)); r < ranges.size() && ranges[r].first <= m.last;
           ++r) {
        const uint64_t lo = std::max<uint64_t>(ranges[r].first, m.first);
        const uint64_t hi = std::min<uint64_t>(ranges[r].last, m.last);
        weights[r] += static_cast<double>(hi - lo + 1);
      }
    }
    if (!options_.frequencies.empty()) {
      for (const ir::ArchTable* table : tables) {
        if (table == nullptr) continue;
        auto it = options_.frequencies.lower_bound({table->arch, 0});
        for (; it != options_.frequencies.end() && it->first.first == table->arch; ++it) {
          weights[range_of(it->first.second)] += static_cast<double>(it->second) * measured_total;
        }
      }
    }
    return weights;
  }

  Label Dispatch(const std::vector<DispatchRange>& ranges, const std::vector<double>& weights) {
    const SearchTree tree = BuildSearchTree(weights);
    std::vector<double> prefix(weights.size() + 1, 0.0);
    for (size_t i = 0; i < weights.size(); ++i) prefix[i + 1] = prefix[i] + weights[i];
    return EmitTree(tree, tree.root, ranges, prefix);
  }

  // The heavier subtree is created last, so it sits right after the comparison: if one side must
  // be reached through a JA (more than 255 instructions away), it is the lighter one.
  Label EmitTree(const SearchTree& tree, size_t index, const std::vector<DispatchRange>& ranges,
                 const std::vector<double>& prefix) {
    const SearchNode& node = tree.nodes[index];
    if (node.first == node.last) return Code(ranges[node.first].node, Accumulator{});
    const double left_weight = prefix[node.split + 1] - prefix[node.first];
    const double right_weight = prefix[node.last + 1] - prefix[node.split + 1];
    Label left, right;
    if (left_weight >= right_weight) {
      right = EmitTree(tree, node.right, ranges, prefix);
      left = EmitTree(tree, node.left, ranges, prefix);
    } else {
      left = EmitTree(tree, node.left, ranges, prefix);
      right = EmitTree(tree, node.right, ranges, prefix);
    }
    return assembler_.Jump(bpf::op::kJge, ranges[node.split + 1].first, right, left);
  }

  // The code deciding canonical node `id`, entered with `acc` in the accumulator.
  Label Code(NodeId id, const Accumulator& acc) {
    const CodeKey key{id, acc};
    if (auto it = code_.find(key); it != code_.end()) return it->second;
    const ir::Node& node = nodes_[id];
    Label label;
    if (node.is_leaf) {
      label = assembler_.Ret(node.outcome.action.ToSeccompRet());
    } else {
      const ir::WordTest& t = node.test;
      const Accumulator want{Accumulator::Kind::kWord, t.arg, t.half, t.mask};
      const Label if_false = Code(node.if_false, want);
      const Label if_true = Code(node.if_true, want);
      label = assembler_.Jump(JumpOpOf(t.op), t.k, if_true, if_false);
      const Accumulator unmasked{Accumulator::Kind::kWord, t.arg, t.half, kAllOnes};
      if (acc == want) {
        // The word is already there.
      } else if (acc == unmasked) {
        label = assembler_.And(t.mask, label);
      } else {
        if (t.mask != kAllOnes) label = assembler_.And(t.mask, label);
        label = assembler_.LoadWord(OffsetOf(t.arg, t.half), label);
      }
    }
    code_.emplace(key, label);
    return label;
  }

  const ir::Ir& ir_;
  const CompileOptions& options_;
  std::vector<ir::Node> nodes_;
  ir::NodeBuilder canonical_;
  std::vector<NodeId> canonical_of_;
  std::unordered_map<CodeKey, Label, CodeKeyHash> code_;
  Assembler assembler_;
};

}  // namespace

Result<bpf::Program> CompileIr(const ir::Ir& ir, const CompileOptions& options) {
  assert(!ir.tables.empty());
  return Compiler(ir, options).Run();
}

Result<bpf::Program> Compile(const policy::Policy& policy, const CompileOptions& options) {
  auto ir = ir::BuildIr(policy);
  if (!ir) return ir.error();
  return CompileIr(*ir, options);
}

}  // namespace sysfence::codegen
