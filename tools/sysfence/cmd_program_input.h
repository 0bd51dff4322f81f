// SPDX-License-Identifier: Apache-2.0
// Reading a filter for `disasm` and `eval`: a raw .bpf, assembly text, or a policy compiled on the fly.
#pragma once

#include <optional>
#include <string>

#include "bpf/program.h"
#include "core/arch.h"

namespace sysfence::cli {

/// A program read from the command line.
struct ProgramInput {
  bpf::Program program;
  std::string kind;                ///< "bpf", "assembly" or "policy"
  std::optional<Arch> policy_arch; ///< the policy's first ABI, for policies
};

/// Loads `path`: *.sfp and *.json are policies (loaded and compiled), *.asm and *.s assembly, *.bpf
/// raw BPF; other names are raw BPF when they decode as such, else policies. Prints the error and
/// returns the exit status (2 for bad input) on failure, kExitOk on success.
int LoadProgramInput(const std::string& path, ProgramInput* input);

/// Parses an --arch value into `*arch` (left unset for an empty name). On an unknown name prints an
/// error with a suggestion and returns kExitBadInput.
int ParseArchFlag(const std::string& name, std::optional<Arch>* arch);

}  // namespace sysfence::cli
