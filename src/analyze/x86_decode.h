// SPDX-License-Identifier: Apache-2.0
// x86_64 decoding through Capstone, reduced to what constant propagation and call-graph building
// read: operands, the general-purpose registers an instruction writes, and its control flow.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"

namespace sysfence::analyze {

/// One operand of a decoded instruction.
struct X86Operand {
  enum class Kind : uint8_t { kRegister, kImmediate, kMemory } kind = Kind::kImmediate;
  int8_t gpr = -1;         ///< kRegister: tracked register index (Gpr), -1 for others
  uint8_t width = 0;       ///< operand size in bytes
  bool written = false;
  int64_t immediate = 0;   ///< kImmediate
  int8_t base = -1;        ///< kMemory: base register (Gpr), -1 when none or untracked
  bool rip_relative = false;
  bool has_index = false;
  bool other_base = false;  ///< kMemory: a base register that is not a tracked GPR (segment-based)
  int64_t displacement = 0;
};

/// What kind of control flow an instruction has.
enum class X86Flow : uint8_t { kNone, kJump, kConditionalJump, kCall, kReturn, kSyscall, kInt80, kStop };

/// One decoded instruction.
struct X86Instruction {
  uint64_t address = 0;
  uint8_t size = 0;
  uint32_t id = 0;  ///< Capstone instruction id (X86_INS_*)
  X86Flow flow = X86Flow::kNone;
  uint8_t operand_count = 0;
  X86Operand operands[4];
  uint16_t written_gprs = 0;  ///< bit per Gpr: explicit and implicit register writes

  /// The next instruction's address.
  uint64_t next() const { return address + size; }
  /// The direct target of a jump or call, when it has one.
  bool DirectTarget(uint64_t* target) const;
  /// The address of a rip-relative memory operand (`call [rip+X]`, `lea r, [rip+X]`), when present.
  bool RipTarget(uint64_t* target) const;
};

/// A Capstone x86_64 decoder (one handle, reused).
class X86Decoder {
 public:
  /// Opens Capstone in 64-bit mode with details. Errors: kInternal when Capstone refuses.
  static Result<std::unique_ptr<X86Decoder>> Create();
  ~X86Decoder();
  X86Decoder(const X86Decoder&) = delete;
  X86Decoder& operator=(const X86Decoder&) = delete;

  /// Decodes `code` (at virtual address `address`) linearly; a byte Capstone cannot decode is
  /// skipped (padding, data in code) and counted in `*undecodable` when given.
  std::vector<X86Instruction> DecodeRange(std::span<const uint8_t> code, uint64_t address, size_t* undecodable = nullptr);
  /// Decodes at most `limit` instructions from the start of `code`, stopping at the first failure.
  std::vector<X86Instruction> DecodeSome(std::span<const uint8_t> code, uint64_t address, size_t limit);

 private:
  X86Decoder() = default;
  bool DecodeOne(const uint8_t** code, size_t* size, uint64_t* address, X86Instruction* out);

  size_t handle_ = 0;
  void* insn_ = nullptr;  // cs_insn*, allocated once
};

}  // namespace sysfence::analyze
