// SPDX-License-Identifier: Apache-2.0
// The compiler: Policy -> seccomp-BPF program.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bpf/program.h"
#include "core/arch.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::codegen {

/// Options for Compile.
struct CompileOptions {
  /// Syscall frequencies from a recording, by ABI and number as a filter sees them (x32 with the
  /// x32 bit), to weight each ABI's search tree; numbers without a name weigh too. Empty: balanced.
  std::map<std::pair<Arch, uint32_t>, uint64_t> frequencies;
};

/// Compiles `policy` into a program that implements policy.h's semantics exactly. Fails (kLimit)
/// past 4096 instructions, with the count in the message.
Result<bpf::Program> Compile(const policy::Policy& policy, const CompileOptions& options = {});

}  // namespace sysfence::codegen
