// SPDX-License-Identifier: Apache-2.0
// Raw `.bpf` files: the program as the kernel receives it, a sequence of 8-byte `struct
// sock_filter` in host byte order, nothing else.
#pragma once

#include <string>
#include <string_view>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::bpf {

/// Decodes raw bytes. Rejects (kInvalidInput, kLimit past 4096 instructions) with one line naming
/// the problem and, for instruction-level problems, the instruction and its byte offset: empty
/// input, a size that is not a multiple of 8, more than 4096 instructions, an opcode seccomp does
/// not accept, a jump out of range, and the other instruction-local rules of the verifier.
/// The dataflow rules (last instruction a ret, memory written before read) are left to Verify.
Result<Program> ParseRawBpf(std::string_view bytes);

/// Encodes `program` as raw bytes (the inverse of ParseRawBpf).
std::string SerializeRawBpf(const Program& program);

/// Explicit loader: reads the file at `path` and ParseRawBpf's it; errors are prefixed with the
/// path ("f.bpf: instruction 3 (byte 24): jump out of range ...").
Result<Program> LoadRawBpfFile(const std::string& path);

}  // namespace sysfence::bpf
