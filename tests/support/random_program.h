// SPDX-License-Identifier: Apache-2.0
// Random seccomp programs and inputs for property tests: every opcode seccomp accepts, forward
// jumps of every kind, scratch memory, the X register, ret k and ret a.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "bpf/program.h"

namespace sysfence::testsupport {

/// Knobs for RandomProgram.
struct RandomProgramOptions {
  size_t min_length = 2;
  size_t max_length = 40;
  /// Constants the program compares against besides random ones (e.g. values the inputs carry),
  /// so that conditional jumps go both ways.
  std::vector<uint32_t> interesting;
  /// Probability that a `div x` is preceded by a load of a non-zero X (keeps X == 0 rare but
  /// possible).
  double guard_division = 0.9;
};

/// A random program, usually valid (callers filter with the verifier): stores to a few cells come
/// first so that loads of those cells are valid on every path; later instructions draw uniformly
/// from all 41 seccomp opcodes; the last instruction is a ret.
bpf::Program RandomProgram(std::mt19937_64& rng, const RandomProgramOptions& options = {});

/// A random valid program: RandomProgram retried until the verifier accepts it.
bpf::Program RandomValidProgram(std::mt19937_64& rng, const RandomProgramOptions& options = {});

/// A random program with one random mutation (opcode, jt/jf, k, truncation) — often invalid,
/// for comparing the verifier's verdict with the kernel's.
bpf::Program RandomMutatedProgram(std::mt19937_64& rng, const RandomProgramOptions& options = {});

/// A 32-bit value that is often interesting: 0, 1, all ones, sign bit, x32 bit, small, or random.
uint32_t RandomWord(std::mt19937_64& rng, const std::vector<uint32_t>& interesting = {});

}  // namespace sysfence::testsupport
