// SPDX-License-Identifier: Apache-2.0
#include "run/events_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "run/event.h"

namespace sysfence::run {
namespace {

// A monitor-mode event as `sysfence run` writes it.
std::string MonitorEvent(const std::string& syscall, const std::string& args, const std::string& outcome = "continued") {
  return R"({"type":"syscall","schema":2,"source":"notification","time":"2026-11-23T18:50:01.123456789Z","mode":"monitor","pid":42,"tid":42,"comm":"t","exe":"/t","arch":"x86_64","syscall":")" +
         syscall + R"(","nr":9,"args":)" + args + R"(,"action":"errno EPERM","outcome":")" + outcome +
         R"(","rule":"default","suggest":null,"count":1})";
}

constexpr const char* kMmapArgs =
    R"([{"name":"addr","value":0,"kind":"pointer","text":"0x0"},{"name":"len","value":4096,"kind":"number"},)"
    R"({"name":"prot","value":5,"kind":"flags","text":"PROT_READ|PROT_EXEC"}])";

TEST(EventsReaderTest, ReadsTheRefusedCallsWithTheirConditionArguments) {
  const std::string text = R"({"type":"start","schema":2,"mode":"monitor","command":["t"]})"
                           "\n" +
                           MonitorEvent("mmap", kMmapArgs) + "\n" + MonitorEvent("getpid", "[]", "allowed") + "\n" +
                           R"({"type":"summary","schema":2,"mode":"monitor","exit_status":0})" + "\n";
  ASSERT_TRUE(LooksLikeEvents(text));
  auto reports = ReadReports(text, "ev.jsonl");
  ASSERT_TRUE(reports.ok()) << reports.error().message;
  ASSERT_EQ(reports->calls.size(), 1u);  // the `log`-allowed getpid is not a refusal
  EXPECT_TRUE(reports->accesses.empty());
  const policy::ObservedCall& call = reports->calls.front();
  EXPECT_EQ(call.syscall, "mmap");
  EXPECT_EQ(call.arch, Arch::kX86_64);
  EXPECT_TRUE(call.args_known);
  ASSERT_EQ(call.args.size(), 1u);
  EXPECT_EQ(call.args[0], (policy::ObservedArg{2, 5, "PROT_READ|PROT_EXEC"}));
  EXPECT_EQ(call.origin, "reported at ev.jsonl:2 (monitor, t)");
}

TEST(EventsReaderTest, AnAuditEventHasNoArguments) {
  const std::string text =
      R"({"type":"syscall","schema":2,"source":"audit","mode":"enforce","pid":1,"tid":0,"comm":"t","exe":"/t","arch":"x86_64","syscall":"mmap","nr":9,"args":[],"action":"errno EPERM","outcome":"denied","rule":"default","suggest":"allow mmap","count":1})";
  auto reports = ReadReports(text, "ev.jsonl");
  ASSERT_TRUE(reports.ok()) << reports.error().message;
  ASSERT_EQ(reports->calls.size(), 1u);
  EXPECT_FALSE(reports->calls.front().args_known);
  EXPECT_TRUE(reports->calls.front().conditionable);
}

TEST(EventsReaderTest, WhatTheWriterWritesTheReaderReads) {
  Event event;
  event.mode = RunMode::kMonitor;
  event.comm = "t";
  event.arch = "x86_64";
  event.syscall = "socket";
  event.nr = 41;
  event.args = {{"family", 1, DecodedArg::Kind::kConstant, "AF_UNIX", "AF"}};
  event.outcome = Outcome::kContinued;
  std::string line;
  AppendEventJson(line, event);
  auto reports = ReadReports(line, "ev.jsonl");
  ASSERT_TRUE(reports.ok()) << reports.error().message << "\n" << line;
  ASSERT_EQ(reports->calls.size(), 1u);
  EXPECT_EQ(reports->calls.front().args, (std::vector<policy::ObservedArg>{{0, 1, "AF_UNIX"}}));
}

TEST(EventsReaderTest, BadLinesAreErrorsWithFileLineAndJsonPath) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"{\"type\":\"start\"}\n{not json", "ev.jsonl:2: "},
      {"[1]", "ev.jsonl:1: $: an event is a JSON object"},
      {R"({"type":"syscall","schema":3})", "ev.jsonl:1: $.schema"},
      {MonitorEvent("mmap", "7"), "ev.jsonl:1: $.args: missing or not an array"},
      {MonitorEvent("mmap", R"([{"value":-1}])"), "ev.jsonl:1: $.args[0].value"},
      {MonitorEvent("mmap", "[]", "exploded"), "ev.jsonl:1: $.outcome: unknown outcome 'exploded'"},
      {R"({"type":"syscall","outcome":"denied","syscall":"read","arch":"vax","args":[]})", "ev.jsonl:1: $.arch: unknown ABI 'vax'"},
      {R"({"type":"syscall","outcome":"denied","arch":"x86_64","args":[]})", "ev.jsonl:1: $.syscall"},
  };
  for (const Case& c : cases) {
    auto reports = ReadReports(c.text, "ev.jsonl");
    ASSERT_FALSE(reports.ok()) << c.text;
    EXPECT_EQ(reports.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(reports.error().message.rfind(c.message, 0), 0u) << reports.error().message;
  }
}

// A landlock event as `sysfence run` writes it, with `suggest` given as JSON text.
std::string LandlockEvent(const std::string& suggest_json, const std::string& blockers = R"(["fs.read_file"])",
                          const std::string& outcome = "continued") {
  return R"({"type":"landlock","schema":2,"source":"notification","time":"2026-12-03T16:27:39.518119711Z","mode":"monitor","pid":7,"tid":7,"comm":"cat","exe":"/usr/bin/cat","arch":"x86_64","syscall":"openat","nr":257,"args":[],"action":"deny","outcome":")" +
         outcome + R"(","rule":null,"suggest":)" + suggest_json + R"(,"landlock":{"blockers":)" + blockers +
         R"(,"path":"/srv/key"},"count":1})";
}

TEST(EventsReaderTest, ReadsLandlockEventsAsAccessesFromTheirSuggestedLine) {
  const std::string text = R"({"type":"start","schema":2,"mode":"monitor","command":["t"]})" "\n" +
                           LandlockEvent(R"("fs read-file /srv/key")") + "\n" +
                           LandlockEvent(R"("net bind tcp 8123")", R"(["net.bind_tcp"])", "denied") + "\n" +
                           // The walls' own blockers: no line allows them, so nothing to merge.
                           LandlockEvent("null", R"(["scope.signal"])", "denied") + "\n";
  auto reports = ReadReports(text, "ev.jsonl");
  ASSERT_TRUE(reports.ok()) << reports.error().message;
  EXPECT_TRUE(reports->calls.empty());
  ASSERT_EQ(reports->accesses.size(), 2u);
  policy::ObservedAccess fs{policy::ObservedAccess::Kind::kFs, policy::kFsReadFile, "/srv/key",
                            policy::NetRule::Kind::kConnect, 0, "reported at ev.jsonl:2 (monitor, cat)"};
  EXPECT_EQ(reports->accesses[0], fs);
  EXPECT_EQ(reports->accesses[1].kind, policy::ObservedAccess::Kind::kNet);
  EXPECT_EQ(reports->accesses[1].net, policy::NetRule::Kind::kBind);
  EXPECT_EQ(reports->accesses[1].port, 8123);
  EXPECT_EQ(reports->accesses[1].origin, "reported at ev.jsonl:3 (monitor, cat)");
  EXPECT_TRUE(LooksLikeEvents(LandlockEvent(R"("fs read-file /srv/key")")));  // `sysfence watch` output
}

TEST(EventsReaderTest, WhatTheWriterWritesForLandlockTheReaderReads) {
  Event event;
  event.kind = EventKind::kLandlock;
  event.mode = RunMode::kMonitor;
  event.comm = "cp";
  event.arch = "x86_64";
  event.syscall = "openat";
  event.outcome = Outcome::kContinued;
  event.suggestion = "fs write-file make-reg \"/srv/my data\"";
  event.landlock.blockers = {"fs.write_file", "fs.make_reg"};
  event.landlock.path = "/srv/my data";
  std::string line;
  AppendEventJson(line, event);
  auto reports = ReadReports(line, "ev.jsonl");
  ASSERT_TRUE(reports.ok()) << reports.error().message << "\n" << line;
  ASSERT_EQ(reports->accesses.size(), 1u);
  EXPECT_EQ(reports->accesses[0].path, "/srv/my data");
  EXPECT_EQ(reports->accesses[0].fs_access, policy::kFsWriteFile | policy::kFsMakeReg);
}

TEST(EventsReaderTest, MalformedLandlockEventsAreErrorsWithFileLineAndJsonPath) {
  const std::string no_suggest = R"({"type":"landlock","outcome":"continued","mode":"monitor","comm":"cat"})";
  const std::pair<std::string, std::string> cases[] = {
      {no_suggest, "ev.jsonl:2: $.suggest: missing or not a string (a landlock event names the fs or net line that "
                   "would allow the access)"},
      {LandlockEvent("null"), "ev.jsonl:2: $.suggest: missing or not a string"},
      {LandlockEvent("7"), "ev.jsonl:2: $.suggest: missing or not a string"},
      {LandlockEvent(R"("fs read-file srv/key")"),
       "ev.jsonl:2: $.suggest: 'fs read-file srv/key': unknown access right 'srv' (paths are absolute: '/srv')"},
      {LandlockEvent(R"("allow read")"), "ev.jsonl:2: $.suggest: 'allow read': expected an 'fs' or 'net' line"},
      {LandlockEvent(R"("net bind tcp")"), "ev.jsonl:2: $.suggest: 'net bind tcp': 'net' needs at least one port"},
      {LandlockEvent(R"("fs read /a")", R"(["fs.read_file"])", "allowed"),
       "ev.jsonl:2: $.outcome: unknown outcome 'allowed' of a landlock event"},
  };
  for (const auto& [event, message] : cases) {
    auto reports = ReadReports(R"({"type":"start","schema":2})" "\n" + event + "\n", "ev.jsonl");
    ASSERT_FALSE(reports.ok()) << event;
    EXPECT_EQ(reports.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(reports.error().message.rfind(message, 0), 0u) << reports.error().message;
  }
}

TEST(EventsReaderTest, OnlyEventFilesLookLikeEvents) {
  EXPECT_FALSE(LooksLikeEvents("arch x86_64\ndefault errno EPERM\n"));
  EXPECT_FALSE(LooksLikeEvents(R"({"sysfence_profile":1})"));
  EXPECT_FALSE(LooksLikeEvents(""));
  EXPECT_TRUE(LooksLikeEvents(R"({"type":"summary"})"));
}

}  // namespace
}  // namespace sysfence::run
