// SPDX-License-Identifier: Apache-2.0
#include "run/seccomp_audit_record.h"

#include <gtest/gtest.h>

namespace sysfence::run {
namespace {

// A record as this machine's kernel (6.18) writes it, from `dmesg | grep type=1326`.
constexpr const char* kKernelRecord =
    "audit(1796291736.727:22): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=22428 comm=\"sf_probe\" "
    "exe=\"/work/main/build/tests/live/sf_probe\" sig=0 arch=c000003e syscall=63 compat=0 "
    "ip=0x7f508691f829 code=0x50000";

TEST(SeccompAuditRecordTest, ParsesTheKernelsRecord) {
  const auto record = ParseSeccompAuditRecord(kKernelRecord);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->pid, 22428);
  EXPECT_EQ(record->uid, 0);
  EXPECT_EQ(record->comm, "sf_probe");
  EXPECT_EQ(record->exe, "/work/main/build/tests/live/sf_probe");
  EXPECT_EQ(record->sig, 0);
  EXPECT_EQ(record->arch, 0xc000003eu);
  EXPECT_EQ(record->syscall, 63);
  EXPECT_EQ(record->ip, 0x7f508691f829u);
  EXPECT_EQ(record->code, 0x50000u);
}

TEST(SeccompAuditRecordTest, KillRecordCarriesTheSignalAndTheX32Number) {
  const auto record = ParseSeccompAuditRecord(
      "audit(1.2:3): auid=1000 uid=1000 gid=1000 ses=2 pid=7 comm=\"a\" exe=\"/a\" sig=31 arch=c000003e "
      "syscall=1073741863 compat=0 ip=0x1 code=0x80000000");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->uid, 1000);  // not auid, which comes first
  EXPECT_EQ(record->sig, 31);
  EXPECT_EQ(record->syscall, 0x40000000 + 39);
  EXPECT_EQ(record->code, 0x80000000u);
}

// The kernel writes a name the process chose in hex when it has spaces, quotes or control bytes:
// a comm cannot inject fields.
TEST(SeccompAuditRecordTest, HexEncodedNamesAreDecodedAndCannotInjectFields) {
  // comm "x pid=1" (hex 78207069643D31), exe "/tmp/a b".
  const auto record = ParseSeccompAuditRecord(
      "audit(1.2:3): auid=0 uid=0 gid=0 ses=1 pid=42 comm=78207069643D31 exe=2F746D702F612062 sig=0 "
      "arch=c000003e syscall=63 compat=0 ip=0x1 code=0x50000");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->pid, 42);
  EXPECT_EQ(record->comm, "x pid=1");
  EXPECT_EQ(record->exe, "/tmp/a b");
}

TEST(SeccompAuditRecordTest, QuotedValuesDoNotMatchKeys) {
  const auto record = ParseSeccompAuditRecord(
      "audit(1.2:3): auid=0 uid=0 gid=0 ses=1 pid=5 comm=\"syscall=9\" exe=\"/x/code=1\" sig=0 "
      "arch=40000003 syscall=20 compat=1 ip=0x1 code=0x7ffc0000");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->syscall, 20);
  EXPECT_EQ(record->arch, 0x40000003u);
  EXPECT_EQ(record->code, 0x7ffc0000u);
  EXPECT_EQ(record->comm, "syscall=9");
}

TEST(SeccompAuditRecordTest, NullExeIsEmpty) {
  const auto record = ParseSeccompAuditRecord(
      "audit(1.2:3): pid=5 comm=\"k\" exe=(null) sig=0 arch=c000003e syscall=1 compat=0 ip=0x1 code=0x50000");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->exe, "");
}

TEST(SeccompAuditRecordTest, MissingOrMalformedFieldsAreRejected) {
  EXPECT_FALSE(ParseSeccompAuditRecord("").has_value());
  EXPECT_FALSE(ParseSeccompAuditRecord("audit(1.2:3): pid=5 arch=c000003e syscall=1").has_value());  // no code
  EXPECT_FALSE(ParseSeccompAuditRecord("audit(1.2:3): pid=x arch=c000003e syscall=1 code=0x0").has_value());
  EXPECT_FALSE(ParseSeccompAuditRecord("audit(1.2:3): pid=5 arch=zz syscall=1 code=0x0").has_value());
  EXPECT_FALSE(ParseSeccompAuditRecord("audit(1.2:3): pid=5 arch=c000003e syscall=1 code=\"0x0").has_value());
  EXPECT_FALSE(ParseSeccompAuditRecord("audit(1.2:3): apid=5 arch=c000003e syscall=1 code=0x0").has_value());
}

}  // namespace
}  // namespace sysfence::run
