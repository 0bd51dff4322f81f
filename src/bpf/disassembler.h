// SPDX-License-Identifier: Apache-2.0
// The disassembler: one line per instruction, in the syntax the text assembler reads back
// (ParseAssembly(Disassemble(p)) == p for every program), with comments that name seccomp_data
// fields, arch tokens, syscalls and actions.
#pragma once

#include <cstddef>
#include <string>

#include "bpf/program.h"
#include "core/arch.h"

namespace sysfence::bpf {

/// Options for Disassemble.
struct DisassembleOptions {
  /// ABI used to name syscall numbers when no preceding `jeq` on the arch token establishes one.
  Arch default_arch = Arch::kX86_64;
  /// Print the comments (names of arches, syscalls, clamped actions). Off: bare instructions.
  bool comments = true;
};

/// The text of instruction `index` of `program` without offset prefix or comment, e.g.
/// "ld [nr]", "jeq #59, 4, 5" (jump targets are absolute offsets), "ret errno(EPERM)", or
/// ".insn 0x28, 0, 0, 0x0" for encodings that have no canonical mnemonic form.
std::string InstructionText(const Program& program, size_t index);

/// The whole listing: a header comment, then "  12: ld [nr]" lines with "; comment" columns.
std::string Disassemble(const Program& program, const DisassembleOptions& options = {});

/// Name of a seccomp_data offset as the disassembler writes it inside brackets ("nr", "arch",
/// "instruction_pointer.lo", "args[3].hi"), or empty when `offset` is not an aligned field.
std::string SeccompFieldName(uint32_t offset);

}  // namespace sysfence::bpf
