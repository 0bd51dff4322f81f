// SPDX-License-Identifier: Apache-2.0
// The audit record parsers against records this machine's kernel (6.18) wrote, and their truncated
// and malformed variants.
#include <gtest/gtest.h>

#include "os/audit_fields.h"
#include "watch/kmsg_line.h"
#include "os/landlock_audit_record.h"
#include "watch/watch_event.h"

namespace sysfence::watch {
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

TEST(AuditFieldsTest, HeaderGivesMillisecondsAndSerial) {
  const auto header = os::ParseAuditHeader(kAccess);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->time_ms, 1796302794159);
  EXPECT_EQ(header->serial, 4251685u);
}

TEST(AuditFieldsTest, MalformedHeadersAreRefused) {
  for (const char* text : {"", "audit(", "audit(1.2)", "audit(1:2): x", "audit(a.1:2): ", "audit(1.1000:2): ",
                           "audit(1.1:): ", "type=1326 audit(1.1:2): "}) {
    EXPECT_FALSE(os::ParseAuditHeader(text)) << text;
  }
}

TEST(AuditFieldsTest, FieldsMatchAtBoundariesOnly) {
  constexpr std::string_view text = "ppid=7 pid=9 auid=5 uid=3";
  EXPECT_EQ(os::AuditFieldSigned(text, "pid"), 9);
  EXPECT_EQ(os::AuditFieldSigned(text, "uid"), 3);
  EXPECT_FALSE(os::AuditFieldSigned(text, "gid"));
}

TEST(AuditFieldsTest, UntrustedStringsAreDecoded) {
  // A comm with a space is hex-encoded by the kernel; (null) means none.
  EXPECT_EQ(os::AuditUntrustedString("comm=6120622063 exe=(null)", "comm"), "a b c");
  EXPECT_EQ(os::AuditUntrustedString("comm=6120622063 exe=(null)", "exe"), "");
  EXPECT_EQ(os::AuditUntrustedString("comm=\"ok\"", "comm"), "ok");
  EXPECT_EQ(os::AuditUntrustedString("comm=\"unterminated", "comm"), "");
  EXPECT_EQ(os::AuditUntrustedString("comm=zz", "comm"), "zz");  // not hex: kept raw
}

TEST(LandlockRecordTest, AccessRecordOfTheKernel) {
  const auto access = ParseLandlockAccessRecord(std::string_view(kAccess).substr(31));
  ASSERT_TRUE(access);
  EXPECT_EQ(access->domain, "193e5a0a4");
  EXPECT_EQ(access->blockers, (std::vector<std::string>{"fs.make_reg"}));
  EXPECT_EQ(access->path, "/tmp/h12");
  EXPECT_EQ(access->device, "vda");
  EXPECT_EQ(access->inode, 10961150u);
  EXPECT_EQ(access->port, -1);
}

TEST(LandlockRecordTest, NetworkAndScopeRecords) {
  const auto connect = ParseLandlockAccessRecord("domain=1a blockers=net.connect_tcp daddr=127.0.0.1 dest=8080");
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->address, "127.0.0.1");
  EXPECT_EQ(connect->port, 8080);
  const auto bind = ParseLandlockAccessRecord("domain=1a blockers=net.bind_tcp saddr=0.0.0.0 src=99999");
  ASSERT_TRUE(bind);
  EXPECT_EQ(bind->port, -1);  // out of range: dropped
  const auto signal = ParseLandlockAccessRecord("domain=1a blockers=scope.signal opid=42 ocomm=\"sshd\"");
  ASSERT_TRUE(signal);
  EXPECT_EQ(signal->target_pid, 42);
  EXPECT_EQ(signal->target_comm, "sshd");
  const auto two = ParseLandlockAccessRecord("domain=1a blockers=fs.write_file,fs.truncate path=\"/x\"");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->blockers, (std::vector<std::string>{"fs.write_file", "fs.truncate"}));
}

TEST(LandlockRecordTest, TruncatedRecordsAreRefused) {
  EXPECT_FALSE(ParseLandlockAccessRecord("domain=193e5a0a4"));
  EXPECT_FALSE(ParseLandlockAccessRecord("blockers=fs.make_reg"));
  EXPECT_FALSE(ParseLandlockAccessRecord("domain= blockers="));
  EXPECT_FALSE(ParseLandlockDomainRecord("domain=1a"));
  EXPECT_FALSE(ParseSyscallAuditRecord("arch=c000003e syscall=257"));
  EXPECT_FALSE(ParseSyscallAuditRecord("arch=c000003e syscall=25x pid=1"));
  EXPECT_FALSE(ParseSyscallAuditRecord("arch=1c000003e syscall=1 pid=1"));
}

TEST(LandlockRecordTest, DomainAndSyscallRecordsOfTheKernel) {
  const auto domain = ParseLandlockDomainRecord(std::string_view(kDomain).substr(31));
  ASSERT_TRUE(domain);
  EXPECT_EQ(domain->status, "allocated");
  EXPECT_EQ(domain->pid, 19358);
  EXPECT_EQ(domain->exe, "/tmp/h12/ll");
  const auto released = ParseLandlockDomainRecord("domain=193e5a0a4 status=deallocated denials=3");
  ASSERT_TRUE(released);
  EXPECT_EQ(released->denials, 3u);
  const auto call = ParseSyscallAuditRecord(std::string_view(kSyscall).substr(31));
  ASSERT_TRUE(call);
  EXPECT_EQ(call->pid, 19358);
  EXPECT_EQ(call->syscall, 257);
  EXPECT_EQ(call->arch, 0xc000003eu);
  EXPECT_EQ(call->exit, -13);
  EXPECT_EQ(call->comm, "ll");
  EXPECT_EQ(call->uid, 0);
}

TEST(KmsgLineTest, AuditRecordsInTheKernelLog) {
  const auto line = ParseKmsgLine(
      "5,12345,12996061621,-;audit: type=1326 audit(1796300072.507:4251056): auid=4294967295 uid=0 pid=4036 "
      "comm=\"sf_probe\" sig=0 arch=c000003e syscall=41 compat=0 ip=0x7f4513f1f829 code=0x50000\n");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->sequence, 12345u);
  const auto record = AuditRecordInKmsg(line->message);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->type, 1326);
  EXPECT_TRUE(record->text.starts_with("audit(1796300072.507:4251056): auid="));
  EXPECT_TRUE(record->text.ends_with("code=0x50000"));
}

TEST(KmsgLineTest, ContinuationLinesAndOtherMessages) {
  const auto line = ParseKmsgLine("6,7,8,c;usb 1-1: new device\n SUBSYSTEM=usb\n DEVICE=c189:1\n");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->message, "usb 1-1: new device");
  EXPECT_FALSE(AuditRecordInKmsg(line->message));
  EXPECT_FALSE(ParseKmsgLine("no prefix here"));
  EXPECT_FALSE(ParseKmsgLine("6,x,8,-;text"));
  EXPECT_FALSE(AuditRecordInKmsg("audit: type=99999 audit(1.1:1): x"));
  EXPECT_FALSE(AuditRecordInKmsg("audit: type=1326 no-header"));
}

TEST(KmsgLineTest, SuppressedCallbacksAreCounted) {
  EXPECT_EQ(SuppressedAuditMessages("kauditd_printk_skb: 2092 callbacks suppressed"), 2092u);
  EXPECT_EQ(SuppressedAuditMessages("net_ratelimit: 5 callbacks suppressed"), 0u);
  EXPECT_EQ(SuppressedAuditMessages("kauditd_printk_skb: many callbacks suppressed"), 0u);
}

}  // namespace
}  // namespace sysfence::watch
