// SPDX-License-Identifier: Apache-2.0
// The text assembler: reads the disassembler's syntax (and hand-written programs in it).
#pragma once

#include <string_view>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::bpf {

/// Assembles `text`. One instruction per line, `;` starts a comment, `name:` (or a number, as the
/// disassembler writes offsets) defines a label for the next instruction. Instructions:
///   ld #k | ld [k] | ld [nr] | ld [arch] | ld [instruction_pointer.lo|.hi] | ld [args[i].lo|.hi]
///   ld len | ld M[k] | ldx #k | ldx len | ldx M[k] | st M[k] | stx M[k] | tax | txa | neg
///   add|sub|mul|div|and|or|xor|lsh|rsh #k|x
///   ja L | jeq|jgt|jge|jset #k|x, Ltrue, Lfalse
///   ret #k | ret a | ret allow|log|kill|kill-process|kill-thread|notify|trap[(n)]|trace[(n)]|errno(E)
///   .insn CODE, JT, JF, K   (raw encoding, any values)
/// Numbers are decimal or 0x-hex. Conditional jumps whose label is >255 instructions away get an
/// automatic `ja` trampoline. Errors name the line: "line 7: unknown mnemonic 'lda'".
Result<Program> ParseAssembly(std::string_view text);

}  // namespace sysfence::bpf
