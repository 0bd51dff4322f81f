// SPDX-License-Identifier: Apache-2.0
// The disassembler: one line per instruction, in the syntax the text assembler reads back
// (ParseAssembly(Disassemble(p)) == p for every program), with comments that name seccomp_data
// fields, arch tokens, syscalls and actions.
#pragma once

#include <cstddef>
#include <string>

#include "bpf/instruction_text.h"
#include "bpf/program.h"
#include "core/arch.h"

namespace sysfence::inspect {

/// Options for Disassemble.
struct DisassembleOptions {
  /// ABI used to name syscall numbers when no preceding `jeq` on the arch token establishes one.
  Arch default_arch = Arch::kX86_64;
  /// Print the comments (names of arches, syscalls, clamped actions). Off: bare instructions.
  bool comments = true;
};

/// The whole listing: a header comment, then "  12: ld [nr]" lines with "; comment" columns.
std::string Disassemble(const bpf::Program& program, const DisassembleOptions& options = {});

}  // namespace sysfence::inspect
