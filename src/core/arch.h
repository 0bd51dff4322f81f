// SPDX-License-Identifier: Apache-2.0
// Target architectures (ABIs) as values. The compiler never uses #ifdef for the target: a policy for
// aarch64 compiles and is tested on x86_64.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sysfence {

/// A syscall ABI that a filter can accept. x32 is its own ABI: it shares x86_64's AUDIT_ARCH token
/// and is told apart by the x32 bit (0x40000000) in the syscall number.
enum class Arch : uint8_t {
  kX86_64,
  kX86,      ///< i386, also reached from 64-bit processes through `int 0x80`
  kX32,
  kAarch64,
  kArm,
  kRiscv64,
  kPpc64le,
  kS390x,
};

/// Fixed facts about one ABI.
struct ArchInfo {
  Arch arch;
  std::string_view name;      ///< canonical name, as in policies: "x86_64", "x86", "x32", ...
  uint32_t audit_arch;        ///< AUDIT_ARCH_* token seen in seccomp_data.arch
  bool is_64bit;              ///< registers (and so syscall arguments) are 64 bits wide
  uint32_t nr_bias;           ///< added to table numbers to get seccomp_data.nr (x32: 0x40000000)
};

/// The x32 bit in syscall numbers on x86_64 kernels.
inline constexpr uint32_t kX32SyscallBit = 0x40000000u;

/// Facts about `arch`.
const ArchInfo& GetArchInfo(Arch arch);

/// Canonical name of `arch`.
std::string_view ArchName(Arch arch);

/// Every ABI sysfence knows, in enum order.
std::span<const Arch> AllArches();

/// Parses a canonical name or a common alias ("amd64", "i386", "arm64", "SCMP_ARCH_X86_64").
std::optional<Arch> ArchFromName(std::string_view name);

/// The ABI whose AUDIT_ARCH token is `audit_arch` (x86_64 for its token; x32 needs the nr too).
std::optional<Arch> ArchFromAudit(uint32_t audit_arch);

/// The ABI of a syscall seen as (audit_arch, nr): like ArchFromAudit, but x32 when the x32 bit is set.
std::optional<Arch> ArchOfSyscall(uint32_t audit_arch, uint32_t nr);

/// The ABI this program was built for (used for defaults and live tests only).
Arch NativeArch();

}  // namespace sysfence
