// SPDX-License-Identifier: Apache-2.0
#include "watch/record_assembler.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <vector>

namespace sysfence::watch {
namespace {

constexpr const char* kSeccomp =
    "audit(1796300072.507:4251056): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=4036 comm=\"sf_probe\" "
    "exe=\"/usr/bin/sf_probe\" sig=0 arch=c000003e syscall=41 compat=0 ip=0x7f4513f1f829 code=0x50000";

struct Collected {
  std::vector<Violation> all;
  RecordAssembler::Sink sink() {
    return [this](Violation& v) { all.push_back(v); };
  }
};

TEST(RecordAssemblerTest, SeccompRecordIsAViolationAtOnce) {
  RecordAssembler assembler;
  Collected out;
  assembler.Add(1326, kSeccomp, 0, out.sink());
  ASSERT_EQ(out.all.size(), 1u);
  const Violation& v = out.all[0];
  EXPECT_EQ(v.kind, ViolationKind::kSeccomp);
  EXPECT_EQ(v.pid, 4036);
  EXPECT_EQ(v.comm, "sf_probe");
  EXPECT_EQ(v.arch, "x86_64");
  EXPECT_EQ(v.syscall, "socket");
  EXPECT_EQ(v.nr, 41);
  EXPECT_EQ(v.action, "errno");
  EXPECT_EQ(v.outcome, "denied");
  EXPECT_EQ(v.serial, 4251056u);
  EXPECT_EQ(v.time_ns, 1796300072507000000);
}

TEST(RecordAssemblerTest, ActionsOfEachCode) {
  const struct {
    const char* code;
    const char* action;
    const char* outcome;
  } cases[] = {{"0x80000000", "kill", "killed"},     {"0x0", "kill-thread", "thread-killed"},
               {"0x30000", "trap", "trapped"},        {"0x7ff00000", "trace", "traced"},
               {"0x7ffc0000", "log", "allowed"},      {"0x7fc00000", "notify", "notified"}};
  for (const auto& c : cases) {
    RecordAssembler assembler;
    Collected out;
    assembler.Add(1326, std::string("audit(1.001:7): pid=1 arch=c000003e syscall=63 code=") + c.code, 0, out.sink());
    ASSERT_EQ(out.all.size(), 1u) << c.code;
    EXPECT_EQ(out.all[0].action, c.action);
    EXPECT_EQ(out.all[0].outcome, c.outcome);
  }
}

TEST(RecordAssemblerTest, LandlockDenialGathersItsRecordsUntilTheEnd) {
  RecordAssembler assembler;
  Collected out;
  assembler.Add(1423, "audit(1796302794.159:85): domain=193e5a0a4 blockers=fs.make_reg path=\"/tmp/h12\" dev=\"vda\" ino=1",
                0, out.sink());
  assembler.Add(1424, "audit(1796302794.159:85): domain=193e5a0a4 status=allocated mode=enforcing pid=19358 uid=0 "
                      "exe=\"/tmp/h12/ll\" comm=\"ll\"", 0, out.sink());
  assembler.Add(1300, "audit(1796302794.159:85): arch=c000003e syscall=257 success=no exit=-13 ppid=1 pid=19358 "
                      "uid=0 comm=\"ll\" exe=\"/tmp/h12/ll\" key=(null)", 0, out.sink());
  EXPECT_TRUE(out.all.empty());
  EXPECT_EQ(assembler.pending(), 1u);
  assembler.Add(1320, "audit(1796302794.159:85): ", 0, out.sink());
  ASSERT_EQ(out.all.size(), 1u);
  const Violation& v = out.all[0];
  EXPECT_EQ(v.kind, ViolationKind::kLandlock);
  EXPECT_EQ(v.pid, 19358);
  EXPECT_EQ(v.syscall, "openat");
  EXPECT_EQ(v.access.path, "/tmp/h12");
  EXPECT_EQ(v.domain_pid, 19358);
  EXPECT_EQ(SuggestionFor(v), "fs make-reg /tmp/h12");
  EXPECT_EQ(assembler.pending(), 0u);
}

TEST(RecordAssemblerTest, LandlockWithoutEndRecordIsEmittedWhenOld) {
  RecordAssembler assembler;
  Collected out;
  assembler.Add(1423, "audit(5.000:9): domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=9", 100, out.sink());
  assembler.Expire(100 + RecordAssembler::kMaxPendingAgeMs, out.sink());
  EXPECT_TRUE(out.all.empty());
  assembler.Expire(101 + RecordAssembler::kMaxPendingAgeMs, out.sink());
  ASSERT_EQ(out.all.size(), 1u);
  EXPECT_EQ(out.all[0].pid, 0);  // no syscall record came: the process is unknown
  EXPECT_EQ(SuggestionFor(out.all[0]), "net connect tcp 9");
}

TEST(RecordAssemblerTest, PendingIsBounded) {
  RecordAssembler assembler;
  Collected out;
  for (size_t i = 0; i < RecordAssembler::kMaxPending + 10; ++i) {
    assembler.Add(1423, "audit(5.000:" + std::to_string(i + 1) + "): domain=1 blockers=fs.read_file path=\"/x\"", 0,
                  out.sink());
  }
  EXPECT_EQ(assembler.pending(), RecordAssembler::kMaxPending);
  EXPECT_EQ(out.all.size(), 10u);
}

TEST(RecordAssemblerTest, MalformedRecordsAreCountedAndSkipped) {
  RecordAssembler assembler;
  Collected out;
  assembler.Add(1326, "audit(1.001:7): pid=1 arch=c000003e syscall=63", 0, out.sink());  // truncated: no code
  assembler.Add(1326, "no header pid=1 arch=c000003e syscall=63 code=0x0", 0, out.sink());
  assembler.Add(1423, "audit(1.001:8): domain=1", 0, out.sink());
  assembler.Add(1424, "audit(1.001:8): status=allocated", 0, out.sink());
  assembler.Add(1101, "garbage of another type", 0, out.sink());  // not ours: ignored, not malformed
  EXPECT_TRUE(out.all.empty());
  EXPECT_EQ(assembler.malformed(), 4u);
}

TEST(WatchEventTest, JsonLineHasRunsFieldsAndTheContainer) {
  RecordAssembler assembler;
  Collected out;
  assembler.Add(1326, kSeccomp, 0, out.sink());
  ASSERT_EQ(out.all.size(), 1u);
  out.all[0].container = ContainerFromCgroupPath(
      "/system.slice/docker-3f4e1b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f.scope");
  std::string line;
  AppendViolationJson(line, out.all[0]);
  ASSERT_EQ(line.back(), '\n');
  const nlohmann::json event = nlohmann::json::parse(line);
  EXPECT_EQ(event["type"], "syscall");
  EXPECT_EQ(event["schema"], 2);
  EXPECT_EQ(event["source"], "audit");
  EXPECT_EQ(event["mode"], "watch");
  EXPECT_EQ(event["time"], "2026-12-03T12:14:32.507000000Z");
  EXPECT_EQ(event["syscall"], "socket");
  EXPECT_EQ(event["suggest"], "allow socket");
  EXPECT_EQ(event["container"]["runtime"], "docker");
  EXPECT_EQ(event["uid"], 0);
  std::string lost;
  AppendLostJson(lost, 0, "socket-overflow", 3, 5);
  const nlohmann::json lost_event = nlohmann::json::parse(lost);
  EXPECT_EQ(lost_event["type"], "lost");
  EXPECT_EQ(lost_event["count"], 3);
  EXPECT_EQ(lost_event["total"], 5);
}

}  // namespace
}  // namespace sysfence::watch
