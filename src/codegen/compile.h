// SPDX-License-Identifier: Apache-2.0
// The compiler: Policy -> seccomp-BPF program.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::codegen {

/// Options for Compile.
struct CompileOptions {
  /// Syscall frequencies from a recording (name -> count) to weight the search tree; empty: balanced.
  std::map<std::string, uint64_t> frequencies;
};

/// Compiles `policy` into a program that implements policy.h's semantics exactly. Fails (kLimit)
/// past 4096 instructions, with the count in the message.
Result<bpf::Program> Compile(const policy::Policy& policy, const CompileOptions& options = {});

}  // namespace sysfence::codegen
