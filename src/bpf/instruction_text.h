// SPDX-License-Identifier: Apache-2.0
// One instruction as text, in the syntax the text assembler reads back; the names of seccomp_data
// fields. No syscall tables: naming syscalls and arches is the disassembler's job (inspect/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bpf/program.h"

namespace sysfence::bpf {

/// The text of instruction `index` of `program` without offset prefix or comment, e.g.
/// "ld [nr]", "jeq #59, 4, 5" (jump targets are absolute offsets), "ret errno(EPERM)", or
/// ".insn 0x28, 0, 0, 0x0" for encodings that have no canonical mnemonic form.
std::string InstructionText(const Program& program, size_t index);

/// Name of a seccomp_data offset as the disassembler writes it inside brackets ("nr", "arch",
/// "instruction_pointer.lo", "args[3].hi"), or empty when `offset` is not an aligned field.
std::string SeccompFieldName(uint32_t offset);

/// `value` in hexadecimal with a 0x prefix ("0x7fff0000").
std::string HexNumber(uint32_t value);

}  // namespace sysfence::bpf
