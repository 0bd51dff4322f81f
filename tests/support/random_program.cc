// SPDX-License-Identifier: Apache-2.0
#include "tests/support/random_program.h"

#include "bpf/opcodes.h"
#include "bpf/verifier.h"

namespace sysfence::testsupport {
namespace {

using bpf::Instruction;
using bpf::Stmt;
namespace op = bpf::op;
namespace opcode = bpf::opcode;

size_t Uniform(std::mt19937_64& rng, size_t low, size_t high) {
  return std::uniform_int_distribution<size_t>(low, high)(rng);
}

bool Chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

}  // namespace

uint32_t RandomWord(std::mt19937_64& rng, const std::vector<uint32_t>& interesting) {
  switch (Uniform(rng, 0, 9)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 0xffffffffu;
    case 3: return 0x80000000u;
    case 4: return 0x40000000u | static_cast<uint32_t>(Uniform(rng, 0, 600));
    case 5: return static_cast<uint32_t>(Uniform(rng, 0, 64));
    case 6:
    case 7:
      if (!interesting.empty()) return interesting[Uniform(rng, 0, interesting.size() - 1)];
      [[fallthrough]];
    default: return static_cast<uint32_t>(rng());
  }
}

bpf::Program RandomProgram(std::mt19937_64& rng, const RandomProgramOptions& options) {
  const size_t length = Uniform(rng, options.min_length, options.max_length);
  bpf::Program program;
  program.reserve(length + 1);
  // Cells written up front (before any jump), so loads of them are valid on every path.
  std::vector<uint32_t> cells;
  const size_t stores = Uniform(rng, 0, 3);
  for (size_t i = 0; i < stores && program.size() + 1 < length; ++i) {
    const uint32_t cell = static_cast<uint32_t>(Uniform(rng, 0, bpf::kMemWords - 1));
    cells.push_back(cell);
    program.push_back(Stmt(Chance(rng, 0.5) ? opcode::kSt : opcode::kStx, cell));
  }
  const auto opcodes = bpf::SeccompOpcodes();
  while (program.size() + 1 < length) {
    const size_t here = program.size();
    const size_t after = length - here - 1;  // instructions after this one (the last is a ret)
    uint16_t code = opcodes[Uniform(rng, 0, opcodes.size() - 1)];
    Instruction insn = Stmt(code);
    switch (code) {
      case opcode::kLdAbs: insn.k = static_cast<uint32_t>(Uniform(rng, 0, 15)) * 4; break;
      case opcode::kLdMem:
      case opcode::kLdxMem:
        // Mostly cells known to be written; sometimes any cell (the verifier then decides).
        insn.k = !cells.empty() && Chance(rng, 0.9) ? cells[Uniform(rng, 0, cells.size() - 1)]
                                                     : static_cast<uint32_t>(Uniform(rng, 0, 15));
        break;
      case opcode::kSt:
      case opcode::kStx: insn.k = static_cast<uint32_t>(Uniform(rng, 0, 15)); break;
      case opcode::kLdImm:
      case opcode::kLdxImm: insn.k = RandomWord(rng, options.interesting); break;
      case opcode::kJa: insn.k = static_cast<uint32_t>(Uniform(rng, 0, after - 1 < 8 ? after - 1 : 8)); break;
      case opcode::kRetK: insn.k = RandomWord(rng, options.interesting); break;
      case opcode::kLdLen:
      case opcode::kLdxLen:
      case opcode::kTax:
      case opcode::kTxa:
      case opcode::kNeg:
      case opcode::kRetA: break;
      default:
        if (bpf::IsConditionalJump(code)) {
          const size_t reach = after - 1 < 12 ? after - 1 : 12;
          insn.jt = static_cast<uint8_t>(Uniform(rng, 0, reach));
          insn.jf = static_cast<uint8_t>(Uniform(rng, 0, reach));
          if (!bpf::UsesX(code)) insn.k = RandomWord(rng, options.interesting);
        } else if (!bpf::UsesX(code)) {  // ALU with k
          const uint16_t alu = bpf::AluOp(code);
          if (alu == op::kLsh || alu == op::kRsh) {
            insn.k = static_cast<uint32_t>(Uniform(rng, 0, 31));
          } else if (alu == op::kDiv) {
            insn.k = static_cast<uint32_t>(Uniform(rng, 1, Chance(rng, 0.5) ? 16 : 0xffffffffu));
          } else {
            insn.k = RandomWord(rng, options.interesting);
          }
        } else if (bpf::AluOp(code) == op::kDiv && Chance(rng, options.guard_division)) {
          program.push_back(Stmt(opcode::kLdxImm, static_cast<uint32_t>(Uniform(rng, 1, 1000))));
          if (program.size() + 1 >= length) continue;
        }
        break;
    }
    program.push_back(insn);
  }
  program.push_back(Chance(rng, 0.7) ? Stmt(opcode::kRetK, RandomWord(rng, options.interesting))
                                     : Stmt(opcode::kRetA));
  return program;
}

bpf::Program RandomValidProgram(std::mt19937_64& rng, const RandomProgramOptions& options) {
  while (true) {
    bpf::Program program = RandomProgram(rng, options);
    if (!bpf::FindVerifyFailure(program)) return program;
  }
}

bpf::Program RandomMutatedProgram(std::mt19937_64& rng, const RandomProgramOptions& options) {
  bpf::Program program = RandomProgram(rng, options);
  Instruction& victim = program[Uniform(rng, 0, program.size() - 1)];
  switch (Uniform(rng, 0, 5)) {
    case 0: victim.code = static_cast<uint16_t>(Uniform(rng, 0, 0xff)); break;
    case 1: victim.jt = static_cast<uint8_t>(rng()); break;
    case 2: victim.jf = static_cast<uint8_t>(Uniform(rng, 0, 40)); break;
    case 3: victim.k = static_cast<uint32_t>(Uniform(rng, 0, 70)); break;
    case 4: program.pop_back(); if (program.empty()) program.push_back(Stmt(opcode::kTax)); break;
    default: victim.k = RandomWord(rng, options.interesting); break;
  }
  return program;
}

}  // namespace sysfence::testsupport
