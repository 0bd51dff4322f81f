// SPDX-License-Identifier: Apache-2.0
#include "core/arch.h"

#include <gtest/gtest.h>

namespace sysfence {
namespace {

TEST(ArchTest, NamesRoundTrip) {
  for (Arch arch : AllArches()) {
    auto parsed = ArchFromName(ArchName(arch));
    ASSERT_TRUE(parsed.has_value()) << ArchName(arch);
    EXPECT_EQ(*parsed, arch);
  }
}

TEST(ArchTest, AliasesAndOciSpelling) {
  EXPECT_EQ(ArchFromName("SCMP_ARCH_X86_64"), Arch::kX86_64);
  EXPECT_EQ(ArchFromName("amd64"), Arch::kX86_64);
  EXPECT_EQ(ArchFromName("i386"), Arch::kX86);
  EXPECT_EQ(ArchFromName("arm64"), Arch::kAarch64);
  EXPECT_EQ(ArchFromName("SCMP_ARCH_X32"), Arch::kX32);
  EXPECT_FALSE(ArchFromName("vax").has_value());
}

TEST(ArchTest, AuditTokensMatchTheKernel) {
  // Values of AUDIT_ARCH_* in <linux/audit.h>.
  EXPECT_EQ(GetArchInfo(Arch::kX86_64).audit_arch, 0xC000003Eu);
  EXPECT_EQ(GetArchInfo(Arch::kX86).audit_arch, 0x40000003u);
  EXPECT_EQ(GetArchInfo(Arch::kAarch64).audit_arch, 0xC00000B7u);
  EXPECT_EQ(GetArchInfo(Arch::kArm).audit_arch, 0x40000028u);
  EXPECT_EQ(GetArchInfo(Arch::kRiscv64).audit_arch, 0xC00000F3u);
  EXPECT_EQ(GetArchInfo(Arch::kX32).nr_bias, 0x40000000u);
}

TEST(ArchTest, X32IsToldApartByTheNumber) {
  EXPECT_EQ(ArchOfSyscall(0xC000003Eu, 0), Arch::kX86_64);
  EXPECT_EQ(ArchOfSyscall(0xC000003Eu, 0x40000000u | 257), Arch::kX32);
  EXPECT_EQ(ArchOfSyscall(0x40000003u, 0x40000000u), Arch::kX86);
  EXPECT_FALSE(ArchOfSyscall(0x12345678u, 0).has_value());
}

}  // namespace
}  // namespace sysfence
