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
  auto calls = ReadReportedCalls(text, "ev.jsonl");
  ASSERT_TRUE(calls.ok()) << calls.error().message;
  ASSERT_EQ(calls->size(), 1u);  // the `log`-allowed getpid is not a refusal
  const policy::ObservedCall& call = calls->front();
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
  auto calls = ReadReportedCalls(text, "ev.jsonl");
  ASSERT_TRUE(calls.ok()) << calls.error().message;
  ASSERT_EQ(calls->size(), 1u);
  EXPECT_FALSE(calls->front().args_known);
  EXPECT_TRUE(calls->front().conditionable);
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
  auto calls = ReadReportedCalls(line, "ev.jsonl");
  ASSERT_TRUE(calls.ok()) << calls.error().message << "\n" << line;
  ASSERT_EQ(calls->size(), 1u);
  EXPECT_EQ(calls->front().args, (std::vector<policy::ObservedArg>{{0, 1, "AF_UNIX"}}));
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
    auto calls = ReadReportedCalls(c.text, "ev.jsonl");
    ASSERT_FALSE(calls.ok()) << c.text;
    EXPECT_EQ(calls.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(calls.error().message.rfind(c.message, 0), 0u) << calls.error().message;
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
