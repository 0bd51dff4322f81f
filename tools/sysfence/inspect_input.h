// SPDX-License-Identifier: Apache-2.0
// Reading the filters `decompile`, `lint` and `diff` work on: a raw .bpf, assembly, a policy (.sfp,
// OCI/Docker or Kubernetes JSON, compiled on the fly), or every filter of a running process.
#pragma once

#include <optional>
#include <string>

#include "inspect/explorer.h"
#include "policy/policy.h"

namespace sysfence::cli {

/// A filter stack read from the command line.
struct StackInput {
  inspect::FilterStack stack;
  std::string name;  ///< the file name, or "pid N"
  /// For policies: the policy and its text (to place findings on lines).
  std::optional<policy::Policy> policy;
  std::string policy_text;
  size_t first_filter = 0;  ///< index in the process's stack of stack[0] (with --filter N: N)
  size_t process_filters = 0;  ///< how many filters the process has (0 for files)
};

/// Loads FILE, or the filters of `pid` (non-zero) — all of them, or only `filter` when set. Every
/// program must pass the verifier (the kernel would refuse it otherwise: the message says why, as
/// the verifier does). Prints one error and returns 2 for bad input, a pid that does not exist or
/// may not be inspected, and a process without filters; kExitOk on success.
int LoadStackInput(const std::string& path, int pid, std::optional<size_t> filter, StackInput* input);

/// Parses "pid:N" (as a diff operand) into `*pid`; false for anything else.
bool ParsePidOperand(const std::string& operand, int* pid);

}  // namespace sysfence::cli
