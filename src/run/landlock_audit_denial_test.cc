// SPDX-License-Identifier: Apache-2.0
// Joining Landlock's audit records (as this machine's 6.18 kernel writes them) into denials.
#include "run/landlock_audit_denial.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sysfence::run {
namespace {

constexpr const char* kAccess =
    "audit(1796302794.159:4251685): domain=193e5a0a4 blockers=fs.make_reg path=\"/tmp/h12\" dev=\"vda\" ino=10961150";
constexpr const char* kDomain =
    "audit(1796302794.159:4251685): domain=193e5a0a4 status=allocated mode=enforcing pid=19358 uid=0 "
    "exe=\"/tmp/h12/ll\" comm=\"ll\"";
constexpr const char* kSyscall =
    "audit(1796302794.159:4251685): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=55a04eca8012 "
    "a2=41 a3=180 items=0 ppid=19357 pid=19358 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
    "fsgid=0 tty=(none) ses=4294967295 comm=\"ll\" exe=\"/tmp/h12/ll\" key=(null)";
constexpr const char* kEnd = "audit(1796302794.159:4251685): ";

TEST(LandlockRecordJoinerTest, AnEventIsItsRecordsJoinedAtTheEnd) {
  LandlockRecordJoiner joiner;
  std::vector<LandlockAuditDenial> out;
  const auto sink = [&](const LandlockAuditDenial& denial) { out.push_back(denial); };
  joiner.Add(1423, kAccess, sink);
  joiner.Add(1424, kDomain, sink);
  joiner.Add(1300, kSyscall, sink);
  EXPECT_TRUE(out.empty());  // not before its end record
  joiner.Add(1326, "audit(1.000:4251685): other", sink);  // a seccomp record is not part of it
  joiner.Add(1320, kEnd, sink);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].serial, 4251685u);
  EXPECT_EQ(out[0].access.domain, "193e5a0a4");
  EXPECT_EQ(out[0].access.path, "/tmp/h12");
  EXPECT_EQ(out[0].pid, 19358);
  EXPECT_EQ(out[0].comm, "ll");
  EXPECT_EQ(out[0].syscall, 257);
  EXPECT_EQ(out[0].arch, 0xc000003eu);
  EXPECT_EQ(out[0].domain_pid, 19358);
}

TEST(LandlockRecordJoinerTest, RecordsOfOtherEventsAndBrokenRecordsAreIgnoredAndWaitersFlushed) {
  LandlockRecordJoiner joiner;
  std::vector<LandlockAuditDenial> out;
  const auto sink = [&](const LandlockAuditDenial& denial) { out.push_back(denial); };
  joiner.Add(1300, kSyscall, sink);  // a syscall record without a Landlock access: not a denial
  joiner.Add(1320, kEnd, sink);
  joiner.Add(1423, "audit(5.000:9): blockers=fs.read_file", sink);  // no domain: malformed
  joiner.Add(1423, "no header at all", sink);
  EXPECT_TRUE(out.empty());
  // A task without an audit context sends no SYSCALL and no end record: Flush emits it.
  joiner.Add(1423, "audit(5.000:10): domain=1a blockers=net.bind_tcp saddr=0.0.0.0 src=8123", sink);
  EXPECT_TRUE(out.empty());
  joiner.Flush(sink);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].access.port, 8123);
  EXPECT_EQ(out[0].pid, 0);
  EXPECT_EQ(out[0].syscall, -1);
  // Bounded: past kMaxPending waiting events the oldest is emitted as it is.
  out.clear();
  for (uint64_t i = 0; i <= LandlockRecordJoiner::kMaxPending; ++i) {
    joiner.Add(1423, "audit(5.000:" + std::to_string(100 + i) + "): domain=1a blockers=fs.read_file path=\"/x\"", sink);
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].serial, 100u);
}

}  // namespace
}  // namespace sysfence::run
