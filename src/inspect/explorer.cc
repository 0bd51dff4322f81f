// SPDX-License-Identifier: Apache-2.0
#include "inspect/explorer.h"

#include <array>
#include <optional>
#include <string>

#include "bpf/evaluator.h"
#include "bpf/instruction_text.h"
#include "bpf/opcodes.h"
#include "bpf/verifier.h"

namespace sysfence::inspect {
namespace {

namespace op = bpf::op;
namespace opcode = bpf::opcode;

// What A, X or a scratch cell holds on a path.
struct Value {
  enum class Kind : uint8_t { kConst, kWord, kOpaque };
  Kind kind = Kind::kConst;
  uint32_t constant = 0;
  uint32_t word = 0;           // kWord: which seccomp_data word
  uint32_t mask = UINT32_MAX;  // kWord: and-ed with this
  uint32_t origin = 0;         // kOpaque: the instruction that computed it

  static Value Const(uint32_t v) { return {Kind::kConst, v, 0, UINT32_MAX, 0}; }
  static Value Word(uint32_t w) { return {Kind::kWord, 0, w, UINT32_MAX, 0}; }
  static Value Opaque(uint32_t pc) { return {Kind::kOpaque, 0, 0, UINT32_MAX, pc}; }
};

struct Machine {
  uint32_t pc = 0;
  Value a, x;
  std::array<Value, bpf::kMemWords> mem{};
  Region region;
};

uint32_t ConstAlu(uint16_t alu, uint32_t a, uint32_t operand) {
  switch (alu) {
    case op::kAdd: return a + operand;
    case op::kSub: return a - operand;
    case op::kMul: return a * operand;
    case op::kDiv: return a / operand;  // operand 0 handled by the caller
    case op::kMod: return a % operand;
    case op::kOr: return a | operand;
    case op::kAnd: return a & operand;
    case op::kXor: return a ^ operand;
    case op::kLsh: return a << (operand & 31);
    case op::kRsh: return a >> (operand & 31);
    default: return 0u - a;  // neg
  }
}

bool IsTest(uint16_t jump_op, WordTest* test) {
  switch (jump_op) {
    case op::kJeq: *test = WordTest::kEq; return true;
    case op::kJgt: *test = WordTest::kGt; return true;
    case op::kJge: *test = WordTest::kGe; return true;
    case op::kJset: *test = WordTest::kSet; return true;
    default: return false;
  }
}

bool ConstTest(WordTest test, uint32_t a, uint32_t k) {
  switch (test) {
    case WordTest::kEq: return a == k;
    case WordTest::kGt: return a > k;
    case WordTest::kGe: return a >= k;
    case WordTest::kSet: return (a & k) != 0;
  }
  return false;
}

class Explorer {
 public:
  Explorer(const FilterStack& stack, const LeafVisitor& visitor, const ExploreOptions& options)
      : stack_(stack), visitor_(visitor), options_(options) {}

  Result<size_t> Run(const Region& start) {
    if (stack_.empty()) return MakeError(ErrorCode::kInvalidInput, "no filter to explore");
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (auto failure = bpf::FindVerifyFailure(stack_[i])) {
        return MakeError(ErrorCode::kInvalidInput, "filter " + std::to_string(i) +
                                                       ": the kernel would refuse this program: " + failure->ToString());
      }
    }
    if (options_.reached != nullptr) {
      options_.reached->clear();
      for (const bpf::Program& program : stack_) options_.reached->emplace_back(program.size(), false);
    }
    RunFilter(0, start, StackOutcome{});
    if (error_) return *error_;
    return leaves_;
  }

 private:
  Error Unsupported(size_t filter, uint32_t pc, const std::string& what) {
    return MakeError(ErrorCode::kUnsupported, "filter " + std::to_string(filter) + ", instruction " +
                                                  std::to_string(pc) + " (" +
                                                  bpf::InstructionText(stack_[filter], pc) + "): " + what);
  }

  bool Done() const { return stopped_ || error_.has_value(); }

  // `position` counts from the newest filter (the kernel runs the newest first).
  void RunFilter(size_t position, const Region& region, const StackOutcome& best) {
    if (Done()) return;
    if (position == stack_.size()) {
      if (++leaves_ > options_.max_leaves) {
        error_ = MakeError(ErrorCode::kLimit, "more than " + std::to_string(options_.max_leaves) +
                                                  " input regions: the filters are too intricate to analyse");
        return;
      }
      if (!visitor_(region, best)) stopped_ = true;
      return;
    }
    const size_t filter = stack_.size() - 1 - position;
    std::vector<Machine> pending;
    pending.push_back(Machine{});
    pending.back().region = region;
    while (!pending.empty() && !Done()) {
      Machine machine = std::move(pending.back());
      pending.pop_back();
      std::optional<uint32_t> ret = Step(filter, machine, pending);
      if (!ret) continue;
      StackOutcome next = best;
      if (position == 0 || MoreRestrictive(*ret, best.value)) next = {*ret, filter};
      RunFilter(position + 1, machine.region, next);
    }
  }

  // Runs `machine` until it returns (the value) or forks at a jump (pushes both sides, nullopt).
  std::optional<uint32_t> Step(size_t filter, Machine& m, std::vector<Machine>& pending) {
    const bpf::Program& program = stack_[filter];
    while (true) {
      if (m.pc >= program.size()) {
        error_ = Unsupported(filter, m.pc - 1, "runs past the end (the verifier refuses this program)");
        return std::nullopt;
      }
      if (options_.reached != nullptr) (*options_.reached)[filter][m.pc] = true;
      const bpf::Instruction& insn = program[m.pc];
      const uint16_t cls = op::Class(insn.code);
      if (cls == op::kRet) {
        if (insn.code == opcode::kRetK) return insn.k;
        if (m.a.kind == Value::Kind::kConst) return m.a.constant;
        error_ = Unsupported(filter, m.pc, "returns a value computed from seccomp_data");
        return std::nullopt;
      }
      if (cls == op::kJmp) {
        if (insn.code == opcode::kJa) {
          m.pc += 1 + insn.k;
          continue;
        }
        if (!Branch(filter, m, pending)) return std::nullopt;
        continue;
      }
      if (!Execute(filter, m)) {
        if (!divided_by_zero_) return std::nullopt;
        divided_by_zero_ = false;
        return 0u;
      }
      ++m.pc;
    }
  }

  // Executes one non-jump, non-return instruction. False on an error, or on a `div x` by zero
  // (divided_by_zero_ set), which ends the run returning 0.
  bool Execute(size_t filter, Machine& m) {
    const bpf::Instruction& insn = stack_[filter][m.pc];
    switch (insn.code) {
      case opcode::kLdImm: m.a = Value::Const(insn.k); return true;
      case opcode::kLdxImm: m.x = Value::Const(insn.k); return true;
      case opcode::kLdLen: m.a = Value::Const(sizeof(bpf::SeccompData)); return true;
      case opcode::kLdxLen: m.x = Value::Const(sizeof(bpf::SeccompData)); return true;
      case opcode::kLdAbs: m.a = Value::Word(insn.k / 4); return true;
      case opcode::kLdMem: m.a = m.mem[insn.k % bpf::kMemWords]; return true;
      case opcode::kLdxMem: m.x = m.mem[insn.k % bpf::kMemWords]; return true;
      case opcode::kSt: m.mem[insn.k % bpf::kMemWords] = m.a; return true;
      case opcode::kStx: m.mem[insn.k % bpf::kMemWords] = m.x; return true;
      case opcode::kTax: m.x = m.a; return true;
      case opcode::kTxa: m.a = m.x; return true;
      default: break;
    }
    return Alu(m, insn);
  }

  bool Alu(Machine& m, const bpf::Instruction& insn) {
    const uint16_t alu = insn.code == opcode::kNeg ? op::kNeg : bpf::AluOp(insn.code);
    Value operand = bpf::UsesX(insn.code) ? m.x : Value::Const(insn.k);
    if (alu != op::kNeg && operand.kind != Value::Kind::kConst) {
      m.a = Value::Opaque(m.pc);  // arithmetic between two words: compared later, it is an error
      return true;
    }
    if ((alu == op::kDiv || alu == op::kMod) && operand.constant == 0) {
      divided_by_zero_ = true;  // `div x` with X == 0: the kernel ends the program returning 0
      return false;
    }
    if (m.a.kind == Value::Kind::kConst) {
      m.a = Value::Const(ConstAlu(alu, m.a.constant, operand.constant));
    } else if (m.a.kind == Value::Kind::kWord && alu == op::kAnd) {
      m.a.mask &= operand.constant;
      if (m.a.mask == 0) m.a = Value::Const(0);
    } else {
      m.a = Value::Opaque(m.pc);
    }
    return true;
  }

  // A conditional jump: follows the side(s) the region allows. False on an error.
  bool Branch(size_t filter, Machine& m, std::vector<Machine>& pending) {
    const bpf::Instruction& insn = stack_[filter][m.pc];
    WordTest test;
    if (!IsTest(bpf::JumpOp(insn.code), &test)) {
      error_ = Unsupported(filter, m.pc, "unknown jump");
      return false;
    }
    const Value operand = bpf::UsesX(insn.code) ? m.x : Value::Const(insn.k);
    const uint32_t taken_pc = m.pc + 1 + insn.jt, fallen_pc = m.pc + 1 + insn.jf;
    if (operand.kind != Value::Kind::kConst) {
      error_ = Unsupported(filter, m.pc, "compares A with an X loaded from seccomp_data");
      return false;
    }
    if (m.a.kind == Value::Kind::kConst) {
      m.pc = ConstTest(test, m.a.constant, operand.constant) ? taken_pc : fallen_pc;
      return true;
    }
    if (m.a.kind == Value::Kind::kOpaque) {
      error_ = Unsupported(filter, m.pc, "compares a value computed at instruction " + std::to_string(m.a.origin) +
                                             " (" + bpf::InstructionText(stack_[filter], m.a.origin) +
                                             "); only loaded words, and-masks and constants are analysed");
      return false;
    }
    if (options_.on_word_jump) options_.on_word_jump(WordJump{filter, m.pc, m.a.word, m.a.mask});
    WordConstraint& word = m.region.words[m.a.word];
    if (word.min == word.max) {  // a known value (nr in a per-syscall region): no split, no growth
      m.pc = ConstTest(test, word.min & m.a.mask, operand.constant) ? taken_pc : fallen_pc;
      return true;
    }
    WordConstraint if_taken = word, if_fallen = word;
    if (!if_taken.Add(m.a.mask, test, operand.constant, true) || !if_fallen.Add(m.a.mask, test, operand.constant, false)) {
      error_ = Unsupported(filter, m.pc, "an ordering comparison on a partly masked word");
      return false;
    }
    const bool can_take = if_taken.Witness().has_value(), can_fall = if_fallen.Witness().has_value();
    if (can_take && can_fall) {
      Machine other = m;
      other.region.words[m.a.word] = std::move(if_fallen);
      other.pc = fallen_pc;
      pending.push_back(std::move(other));
      word = std::move(if_taken);
      m.pc = taken_pc;
    } else if (can_take) {
      m.pc = taken_pc;
    } else {
      m.pc = fallen_pc;
    }
    return true;
  }

  const FilterStack& stack_;
  const LeafVisitor& visitor_;
  const ExploreOptions& options_;
  size_t leaves_ = 0;
  bool stopped_ = false;
  bool divided_by_zero_ = false;
  std::optional<Error> error_;
};

}  // namespace

bool MoreRestrictive(uint32_t candidate, uint32_t current) {
  return static_cast<int32_t>(candidate & seccomp_ret::kActionFullMask) <
         static_cast<int32_t>(current & seccomp_ret::kActionFullMask);
}

Result<StackOutcome> EvaluateStack(const FilterStack& stack, const bpf::SeccompData& data) {
  StackOutcome outcome;
  for (size_t i = stack.size(); i-- > 0;) {
    auto result = bpf::Evaluate(stack[i], data);
    if (!result.ok()) return MakeError(result.error().code, "filter " + std::to_string(i) + ": " + result.error().message);
    if (i == stack.size() - 1 || MoreRestrictive(result->value, outcome.value)) outcome = {result->value, i};
  }
  return outcome;
}

Result<size_t> Explore(const FilterStack& stack, const Region& start, const LeafVisitor& visitor,
                       const ExploreOptions& options) {
  Explorer explorer(stack, visitor, options);
  return explorer.Run(start);
}

}  // namespace sysfence::inspect
