// SPDX-License-Identifier: Apache-2.0
#include "run/event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sysfence::run {
namespace {

Event Sample() {
  Event event;
  event.time_ns = 1'795'000'000'123'456'789;
  event.pid = 12;
  event.tid = 13;
  event.comm = "cu\"rl\n";
  event.exe = "/usr/bin/\xff" "curl";
  event.arch = "x86_64";
  event.syscall = "socket";
  event.nr = 41;
  event.args = {{"family", 16, DecodedArg::Kind::kConstant, "AF_NETLINK", "AF"},
                {"type", 3, DecodedArg::Kind::kFlags, "SOCK_RAW", "SOCK"},
                {"protocol", 0, DecodedArg::Kind::kNumber, "", ""}};
  event.action = Action::Errno(1);
  event.outcome = Outcome::kDenied;
  event.rule = "net.sfp:3";
  event.suggestion = "allow socket if family == AF_NETLINK";
  return event;
}

TEST(EventTest, JsonLineHasEveryDocumentedField) {
  std::string line;
  AppendEventJson(line, Sample());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["type"], "syscall");
  EXPECT_EQ(json["schema"], kEventSchemaVersion);
  EXPECT_EQ(json["source"], "notification");
  EXPECT_EQ(json["time"], "2026-11-18T11:06:40.123456789Z");
  EXPECT_EQ(json["mode"], "enforce");
  EXPECT_EQ(json["pid"], 12);
  EXPECT_EQ(json["tid"], 13);
  EXPECT_EQ(json["comm"], "cu\"rl\n");
  EXPECT_EQ(json["exe"], "/usr/bin/\u00ffcurl");  // raw bytes escaped, never invalid JSON
  EXPECT_EQ(json["syscall"], "socket");
  EXPECT_EQ(json["nr"], 41);
  EXPECT_EQ(json["args"][0]["text"], "AF_NETLINK");
  EXPECT_EQ(json["args"][0]["kind"], "constant");
  EXPECT_FALSE(json["args"][2].contains("text"));
  EXPECT_EQ(json["action"], "errno EPERM");
  EXPECT_EQ(json["outcome"], "denied");
  EXPECT_EQ(json["rule"], "net.sfp:3");
  EXPECT_EQ(json["suggest"], "allow socket if family == AF_NETLINK");
  EXPECT_EQ(json["count"], 1);
}

TEST(EventTest, NoSuggestionIsNull) {
  Event event = Sample();
  event.suggestion.clear();
  std::string line;
  AppendEventJson(line, event);
  EXPECT_TRUE(nlohmann::json::parse(line)["suggest"].is_null());
}

// comm, exe and argument text are the program's: on a terminal they must not move the cursor, clear
// the screen or start a line that looks like sysfence's own.
TEST(EventTest, HumanLineEscapesWhatTheProgramControls) {
  Event event = Sample();
  event.comm = "x\x1b[2J\nsysfence: all clear\r";
  const std::string line = EventHumanLine(event);
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;  // one line, whatever comm holds
  EXPECT_NE(line.find("x\\x1b[2J\\x0asysfence: all clear\\x0d"), std::string::npos) << line;
}

TEST(EventTest, TerminalSafeKeepsPrintableTextAndEscapesTheRest) {
  EXPECT_EQ(TerminalSafe("plain text 123"), "plain text 123");
  EXPECT_EQ(TerminalSafe("a\\b"), "a\\\\b");  // a backslash cannot fake an escape
  EXPECT_EQ(TerminalSafe(std::string_view("\0\x7f\xff", 3)), "\\x00\\x7f\\xff");
}

TEST(EventTest, HumanLineNamesCallRuleAndFix) {
  const std::string line = EventHumanLine(Sample());
  EXPECT_NE(line.find("denied socket(AF_NETLINK, SOCK_RAW, 0)"), std::string::npos) << line;
  EXPECT_NE(line.find("net.sfp:3"), std::string::npos);
  EXPECT_NE(line.find("to allow: allow socket if family == AF_NETLINK"), std::string::npos);
}

TEST(EventTest, SummaryJsonListsSuggestedLines) {
  RunSummary summary;
  summary.mode = RunMode::kMonitor;
  summary.reported_calls = 3;
  summary.suggested_lines = {"allow uname"};
  summary.counts = {{"uname", 3}};
  std::string line;
  AppendSummaryJson(line, summary);
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["type"], "summary");
  EXPECT_EQ(json["suggested_lines"][0], "allow uname");
  EXPECT_EQ(json["counts"][0]["count"], 3);
  EXPECT_NE(SummaryHumanText(summary).find("    allow uname\n"), std::string::npos);
}

// A wait for the audit stream that gave up is said in both outputs, never read as "no violations".
TEST(EventTest, AnAuditDrainThatGaveUpIsSaid) {
  RunSummary summary;
  std::string quiet;
  AppendSummaryJson(quiet, summary);
  EXPECT_EQ(nlohmann::json::parse(quiet)["audit_drain_timed_out"], false);
  EXPECT_EQ(SummaryHumanText(summary).find("had not caught up"), std::string::npos);
  summary.audit_drain_timed_out = true;
  std::string line;
  AppendSummaryJson(line, summary);
  EXPECT_EQ(nlohmann::json::parse(line)["audit_drain_timed_out"], true);
  const std::string text = SummaryHumanText(summary);
  EXPECT_NE(text.find("no violations seen\n"), std::string::npos) << text;
  EXPECT_NE(text.find("audit stream had not caught up"), std::string::npos) << text;
  summary.reported_calls = 1;
  EXPECT_NE(SummaryHumanText(summary).find("audit stream had not caught up"), std::string::npos);
}

TEST(EventTest, SummaryJsonCountsDesignedFallbacksApart) {
  RunSummary summary;
  std::string none;
  AppendSummaryJson(none, summary);
  EXPECT_EQ(nlohmann::json::parse(none)["fallbacks"], nlohmann::json::array());
  summary.fallbacks = {{"clone3", 4}, {"rseq", 1}};
  std::string line;
  AppendSummaryJson(line, summary);
  const auto json = nlohmann::json::parse(line);
  ASSERT_EQ(json["fallbacks"].size(), 2u);
  EXPECT_EQ(json["fallbacks"][0]["syscall"], "clone3");
  EXPECT_EQ(json["fallbacks"][0]["count"], 4);
  EXPECT_EQ(json["fallbacks"][1]["syscall"], "rseq");
  EXPECT_EQ(json["reported_calls"], 0);  // not violations
}

TEST(EventTest, Rfc3339KeepsLeadingZerosOfNanoseconds) {
  EXPECT_EQ(FormatRfc3339(5), "1970-01-01T00:00:00.000000005Z");
}

}  // namespace
}  // namespace sysfence::run
