// SPDX-License-Identifier: Apache-2.0
#include "core/arch.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <string>

namespace sysfence {
namespace {

// AUDIT_ARCH_* values: EM_* machine number | __AUDIT_ARCH_64BIT (0x80000000) | __AUDIT_ARCH_LE (0x40000000).
constexpr std::array<ArchInfo, 8> kArches = {{
    {Arch::kX86_64, "x86_64", 0xC000003Eu, true, 0},
    {Arch::kX86, "x86", 0x40000003u, false, 0},
    {Arch::kX32, "x32", 0xC000003Eu, true, kX32SyscallBit},
    {Arch::kAarch64, "aarch64", 0xC00000B7u, true, 0},
    {Arch::kArm, "arm", 0x40000028u, false, 0},
    {Arch::kRiscv64, "riscv64", 0xC00000F3u, true, 0},
    {Arch::kPpc64le, "ppc64le", 0xC0000015u, true, 0},
    {Arch::kS390x, "s390x", 0x80000016u, true, 0},
}};

constexpr std::array<Arch, 8> kAll = {Arch::kX86_64, Arch::kX86,     Arch::kX32,     Arch::kAarch64,
                                      Arch::kArm,    Arch::kRiscv64, Arch::kPpc64le, Arch::kS390x};

struct Alias {
  std::string_view alias;
  Arch arch;
};
constexpr std::array<Alias, 12> kAliases = {{
    {"amd64", Arch::kX86_64},     {"x86-64", Arch::kX86_64}, {"i386", Arch::kX86},
    {"i686", Arch::kX86},         {"ia32", Arch::kX86},      {"arm64", Arch::kAarch64},
    {"armhf", Arch::kArm},        {"armel", Arch::kArm},     {"riscv", Arch::kRiscv64},
    {"ppc64el", Arch::kPpc64le},  {"s390", Arch::kS390x},    {"x86_32", Arch::kX86},
}};

}  // namespace

const ArchInfo& GetArchInfo(Arch arch) {
  const auto index = static_cast<size_t>(arch);
  assert(index < kArches.size());
  return kArches[index];
}

std::string_view ArchName(Arch arch) { return GetArchInfo(arch).name; }

std::span<const Arch> AllArches() { return kAll; }

std::optional<Arch> ArchFromName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  // OCI/Docker spell arches as SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ...
  if (lower.starts_with("scmp_arch_")) lower = lower.substr(10);
  for (const ArchInfo& info : kArches) {
    if (info.name == lower) return info.arch;
  }
  for (const Alias& alias : kAliases) {
    if (alias.alias == lower) return alias.arch;
  }
  return std::nullopt;
}

std::optional<Arch> ArchFromAudit(uint32_t audit_arch) {
  for (const ArchInfo& info : kArches) {
    if (info.audit_arch == audit_arch) return info.arch;  // x86_64 comes before x32
  }
  return std::nullopt;
}

std::optional<Arch> ArchOfSyscall(uint32_t audit_arch, uint32_t nr) {
  auto arch = ArchFromAudit(audit_arch);
  if (arch == Arch::kX86_64 && (nr & kX32SyscallBit) != 0) return Arch::kX32;
  return arch;
}

Arch NativeArch() {
  // The one place the host matters: defaults and live tests.
#if defined(__x86_64__) && defined(__ILP32__)
  return Arch::kX32;
#elif defined(__x86_64__)
  return Arch::kX86_64;
#elif defined(__i386__)
  return Arch::kX86;
#elif defined(__aarch64__)
  return Arch::kAarch64;
#elif defined(__arm__)
  return Arch::kArm;
#elif defined(__riscv) && __riscv_xlen == 64
  return Arch::kRiscv64;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return Arch::kPpc64le;
#elif defined(__s390x__)
  return Arch::kS390x;
#else
#error "sysfence: unsupported host architecture"
#endif
}

}  // namespace sysfence
