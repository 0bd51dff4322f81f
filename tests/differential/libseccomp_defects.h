// SPDX-License-Identifier: Apache-2.0
// Named causes for a decision of libseccomp 2.5.4's filter that differs from the model. The
// differential suites explain every disagreement by one of these, or fail.
#pragma once

#include "bpf/program.h"
#include "policy/policy.h"

namespace sysfence::differential {

/// True when `input`'s path through `program` reaches a conditional jump that other paths reach
/// with another seccomp_data word in the accumulator: libseccomp 2.5.4 skips a reload it believes
/// redundant when argument trees of one syscall fall through into each other, so that jump tests
/// the wrong word (docs/libseccomp-differences.md). Only the instructions libseccomp emits (ld
/// [k], jeq/jgt/jge/jset #k, ja, and #k, ret #k) are followed; anything else returns false.
bool PathTestsAStaleWord(const bpf::Program& program, const SeccompData& input);

/// True when `input`'s syscall has two argument rules in `policy` that libseccomp merges through a
/// shared `>` node on the high word of a range comparison (<, <=, >, >=) and that differ below it.
/// libseccomp 2.5.4 then routes an input that fails one rule's remaining comparisons into the
/// other rule's (or out to the default action) on some low words: seen only on such pairs (e.g.
/// `pid > -2147483648 && arg5 != X` with `arg5 == Y && pid >= -2147483648`).
bool MergesRangeRulesOnAHighWord(const policy::Policy& policy, const SeccompData& input);

}  // namespace sysfence::differential
