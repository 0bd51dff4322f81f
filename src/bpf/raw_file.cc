// SPDX-License-Identifier: Apache-2.0
#include "bpf/raw_file.h"

#include <cstring>

#include "bpf/verifier.h"
#include "core/input_file.h"

namespace sysfence::bpf {

Result<Program> ParseRawBpf(std::string_view bytes) {
  if (bytes.empty()) return MakeError(ErrorCode::kInvalidInput, "empty BPF file (a program needs 1 to 4096 instructions)");
  if (bytes.size() % sizeof(Instruction) != 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     "size " + std::to_string(bytes.size()) + " bytes is not a multiple of 8 (struct sock_filter): " +
                         std::to_string(bytes.size() % 8) + " trailing bytes after instruction " +
                         std::to_string(bytes.size() / 8) + " (byte offset " +
                         std::to_string(bytes.size() / 8 * 8) + ")");
  }
  const size_t count = bytes.size() / sizeof(Instruction);
  if (count > kMaxInstructions) {
    return MakeError(ErrorCode::kLimit, std::to_string(count) +
                                            " instructions: the kernel accepts at most 4096 (instruction 4096 at "
                                            "byte offset 32768 is one too many)");
  }
  Program program(count);
  std::memcpy(program.data(), bytes.data(), bytes.size());
  for (size_t index = 0; index < count; ++index) {
    if (auto failure = FindInstructionFailure(program, index)) {
      return MakeError(ErrorCode::kInvalidInput, "instruction " + std::to_string(index) + " (byte offset " +
                                                     std::to_string(index * 8) + "): " + failure->reason);
    }
  }
  return program;
}

std::string SerializeRawBpf(const Program& program) {
  std::string bytes(program.size() * sizeof(Instruction), '\0');
  if (!program.empty()) std::memcpy(bytes.data(), program.data(), bytes.size());
  return bytes;
}

Result<Program> LoadRawBpfFile(const std::string& path) {
  Result<std::string> bytes = ReadInputFile(path);
  if (!bytes.ok()) return bytes.error();
  auto program = ParseRawBpf(*bytes);
  if (!program.ok()) return MakeError(program.error().code, path + ": " + program.error().message);
  return program;
}

}  // namespace sysfence::bpf
