// SPDX-License-Identifier: Apache-2.0
// The classic-BPF program model that seccomp runs, and the input it runs on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/seccomp_data.h"

namespace sysfence::bpf {

/// One classic-BPF instruction, laid out exactly as the kernel's `struct sock_filter`.
struct Instruction {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;
  friend bool operator==(const Instruction&, const Instruction&) = default;
};
static_assert(sizeof(Instruction) == 8);

/// A seccomp filter program.
using Program = std::vector<Instruction>;

/// Most instructions one filter may have (BPF_MAXINSNS).
inline constexpr size_t kMaxInstructions = 4096;

/// What a seccomp filter sees (defined in core, where the evaluators above bpf take it from).
using SeccompData = ::sysfence::SeccompData;

/// Byte offsets of the fields of SeccompData (what `ld [k]` loads).
namespace offset {
inline constexpr uint32_t kNr = 0;
inline constexpr uint32_t kArch = 4;
inline constexpr uint32_t kInstructionPointerLo = 8;
inline constexpr uint32_t kInstructionPointerHi = 12;
/// Offset of the low 32 bits of argument `index` (little-endian ABIs).
constexpr uint32_t ArgLo(int index) { return 16 + 8 * static_cast<uint32_t>(index); }
/// Offset of the high 32 bits of argument `index` (little-endian ABIs).
constexpr uint32_t ArgHi(int index) { return 20 + 8 * static_cast<uint32_t>(index); }
}  // namespace offset

// Opcode parts (the values of <linux/filter.h>, restated so this pure library needs no kernel header).
namespace op {
inline constexpr uint16_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04, kJmp = 0x05,
                          kRet = 0x06, kMisc = 0x07;
inline constexpr uint16_t kW = 0x00, kH = 0x08, kB = 0x10;
inline constexpr uint16_t kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kLen = 0x80, kMsh = 0xa0;
inline constexpr uint16_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40, kAnd = 0x50,
                          kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90, kXor = 0xa0;
inline constexpr uint16_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40;
inline constexpr uint16_t kK = 0x00, kX = 0x08, kA = 0x10;
inline constexpr uint16_t kTax = 0x00, kTxa = 0x80;
/// Instruction class of `code`.
constexpr uint16_t Class(uint16_t code) { return code & 0x07; }
}  // namespace op

/// Number of scratch memory slots (BPF_MEMWORDS).
inline constexpr uint32_t kMemWords = 16;

}  // namespace sysfence::bpf
