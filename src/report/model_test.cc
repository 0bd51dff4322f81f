// SPDX-License-Identifier: Apache-2.0
// The page model (numbers as the inputs have them), reading events files, and the page's escaping
// of what recorded programs name themselves.
#include <gtest/gtest.h>

#include "policy/parser.h"
#include "profile/profile_builder.h"
#include "report/assets.h"
#include "report/events.h"
#include "report/html.h"
#include "report/model.h"
#include "syscalls/syscalls.h"

namespace sysfence::report {
namespace {

using nlohmann::json;

profile::Profile Recording(uint64_t reads, uint64_t writes, bool with_socket) {
  profile::ProfileBuilder builder(Arch::kX86_64, 0);
  const uint64_t none[6] = {0, 0, 0, 0, 0, 0};
  const uint32_t read = *syscalls::NumberOf(Arch::kX86_64, "read");
  const uint32_t write = *syscalls::NumberOf(Arch::kX86_64, "write");
  builder.OnExec(100, "/usr/bin/<b>tar</b>");
  for (uint64_t i = 0; i < reads; ++i) builder.OnSyscall(100, Arch::kX86_64, read, none, i * 1'000'000);
  builder.OnNewProcess(101, 100);
  for (uint64_t i = 0; i < writes; ++i) builder.OnSyscall(101, Arch::kX86_64, write, none, 5'000'000);
  if (with_socket) builder.OnSyscall(101, Arch::kX86_64, *syscalls::NumberOf(Arch::kX86_64, "socket"), none, 6'000'000);
  profile::Profile profile = builder.Finish("ptrace", 10'000'000);
  profile.command = {"tar", "-c"};
  return profile;
}

TEST(ReportModelTest, RecordingNumbersAreTheRecordingsOwn) {
  const json model = RecordingModel({"run.json", Recording(7, 3, true)}, nullptr);
  EXPECT_EQ(model["total_calls"], 11);
  EXPECT_EQ(model["distinct_syscalls"], 3);
  EXPECT_EQ(model["syscalls"][0]["name"], "read");  // most called first
  EXPECT_EQ(model["syscalls"][0]["count"], 7);
  EXPECT_EQ(model["timeline"]["interval_ms"], 1.0);
  EXPECT_EQ(model["timeline"]["calls"].size(), 7u);
  EXPECT_EQ(model["timeline"]["calls"][5], 4);  // read at 5 ms and the three writes
  ASSERT_EQ(model["processes"].size(), 2u);
  EXPECT_EQ(model["processes"][1]["parent"], 100);
  EXPECT_EQ(model["coverage"]["seen_once"], json({"socket"}));
  // @network-io holds socket (1 call), @basic-io read and write (10).
  bool network = false;
  for (const json& group : model["groups"]) {
    if (group["name"] == "@network-io") network = group["calls"] == 1;
  }
  EXPECT_TRUE(network) << model["groups"].dump();
}

TEST(ReportModelTest, OldRecordingsHaveNoTimelineOrTree) {
  profile::Profile old = Recording(1, 1, false);
  old.timeline = {};
  old.processes.clear();
  const json model = RecordingModel({"old.json", old}, nullptr);
  EXPECT_TRUE(model["timeline"].is_null());
  EXPECT_TRUE(model["processes"].empty());
}

TEST(ReportModelTest, EachRuleListsTheRecordedCallsItNames) {
  Diagnostics diagnostics;
  auto policy = policy::ParsePolicy("arch x86_64\ndefault errno EPERM\nallow read write  # seen\nallow @network-io\n",
                                    "p.sfp", diagnostics);
  ASSERT_TRUE(policy);
  const profile::Profile recording = Recording(7, 3, true);
  const json model = PolicyModel({"p.sfp", *policy}, &recording);
  ASSERT_EQ(model["rules"].size(), 2u);
  EXPECT_EQ(model["rules"][0]["line"], 3);
  EXPECT_EQ(model["rules"][0]["calls"], 10);
  EXPECT_EQ(model["rules"][0]["comment"], "seen");
  EXPECT_EQ(model["rules"][1]["calls"], 1);
  EXPECT_EQ(model["rules"][1]["evidence"][0]["syscall"], "socket");
}

TEST(ReportModelTest, DiffSaysWhatIsOnlyInOneAndHowCountsChanged) {
  const json diff = DiffModel({"a.json", Recording(7, 3, false)}, {"b.json", Recording(2, 3, true)});
  EXPECT_EQ(diff["only_a"], json::array());
  EXPECT_EQ(diff["only_b"], json({{{"name", "socket"}, {"count", 1}}}));
  EXPECT_EQ(diff["both"], json({{{"name", "read"}, {"a", 7}, {"b", 2}}, {{"name", "write"}, {"a", 3}, {"b", 3}}}));
}

TEST(ReportEventsTest, ViolationsOverTimeByRule) {
  const std::string text =
      R"({"type":"start","schema":2})" "\n"
      R"({"type":"syscall","time":"2026-11-23T18:50:01.500000000Z","rule":"p.sfp:4","outcome":"denied","syscall":"mkdir","comm":"tar","pid":5})" "\n"
      R"({"type":"syscall","time":"2026-11-23T18:50:03.000000000Z","rule":"default","outcome":"denied","syscall":"fchown","comm":"tar","pid":5})" "\n"
      R"({"type":"syscall","time":"2026-11-23T18:50:04.000000000Z","rule":"default","outcome":"denied","syscall":"fchown","comm":"tar","pid":5})" "\n"
      R"({"type":"summary"})" "\n";
  auto violations = ReadViolations(text, "ev.jsonl");
  ASSERT_TRUE(violations.ok()) << violations.error().message;
  ASSERT_EQ(violations->size(), 3u);
  EXPECT_DOUBLE_EQ((*violations)[2].seconds, 2.5);
  const json model = EventsModel({"ev.jsonl", *violations});
  EXPECT_EQ(model["total"], 3);
  EXPECT_EQ(model["interval_s"], 0.05);  // 2.5 s in at most 60 round intervals
  ASSERT_EQ(model["rules"].size(), 2u);
  EXPECT_EQ(model["rules"][0]["rule"], "default");
  EXPECT_EQ(model["rules"][0]["count"], 2);
  EXPECT_EQ(model["rules"][0]["over_time"][30], 1);  // 1.5 s / 0.05
  EXPECT_EQ(model["rules"][0]["over_time"][50], 1);
  EXPECT_EQ(model["rules"][1]["over_time"][0], 1);
}

TEST(ReportEventsTest, BadLinesNameTheFileLineAndField) {
  auto expect_error = [](const std::string& text, const std::string& fragment) {
    auto read = ReadViolations(text, "ev.jsonl");
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(read.error().message.find(fragment), std::string::npos) << read.error().message;
  };
  expect_error("{\"type\":\"start\"}\nnot json\n", "ev.jsonl:2: not a JSON object");
  expect_error(R"({"type":"syscall","rule":"x","outcome":"denied"})", "ev.jsonl:1: $.time: expected a string");
  expect_error(R"({"type":"syscall","time":"yesterday","rule":"x","outcome":"denied"})", "ev.jsonl:1: $.time: expected an RFC 3339");
  expect_error(R"({"type":"syscall","time":"2026-11-23T18:50:01Z","outcome":"denied"})", "ev.jsonl:1: $.rule");
  expect_error(R"({"rule":"x"})", "ev.jsonl:1: $.type: missing");
}

TEST(ReportEventsTest, ParsesRfc3339Utc) {
  EXPECT_DOUBLE_EQ(ParseRfc3339("1970-01-01T00:00:01.25Z"), 1.25);
  EXPECT_DOUBLE_EQ(ParseRfc3339("2026-11-23T18:50:01Z"), 1795459801.0);
  EXPECT_LT(ParseRfc3339("2026-11-23T18:50:01+01:00"), 0);
  EXPECT_LT(ParseRfc3339("2026-13-23T18:50:01Z"), 0);
}

TEST(ReportPageTest, NothingARecordingNamesCanCloseTheScriptOrBecomeHtml) {
  profile::Profile hostile = Recording(1, 1, false);
  hostile.command = {"</script><script>alert(1)</script>", "<!--", "a&b", "\xe2\x80\xa8", "\xff\xfe"};
  const json model = BuildModel({{{"x.json", hostile}}, std::nullopt, {}});
  const std::string embedded = EmbeddableJson(model);
  EXPECT_EQ(embedded.find('<'), std::string::npos);
  EXPECT_EQ(embedded.find('>'), std::string::npos);
  EXPECT_EQ(embedded.find('&'), std::string::npos);
  EXPECT_NE(embedded.find("\\u003c/script\\u003e"), std::string::npos);
  EXPECT_NE(embedded.find("\\u2028"), std::string::npos);  // a line separator stays an escape
  // Escapes decode back to the very text (invalid UTF-8 replaced).
  EXPECT_EQ(json::parse(embedded)["recordings"][0]["command"][0], hostile.command[0]);
  const std::string page = RenderPage(model, "<title> & \"x\"");
  EXPECT_NE(page.find("<title>&lt;title&gt; &amp; &quot;x&quot;</title>"), std::string::npos);
  // Exactly the page's own three script elements open and close.
  size_t opened = 0, closed = 0;
  for (size_t at = 0; (at = page.find("<script", at)) != std::string::npos; ++at) ++opened;
  for (size_t at = 0; (at = page.find("</script", at)) != std::string::npos; ++at) ++closed;
  EXPECT_EQ(opened, 3u);
  EXPECT_EQ(closed, 3u);
}

TEST(ReportPageTest, InlinesChartJsAndNamesItsLicense) {
  const std::string page = RenderPage(BuildModel({}), "t");
  EXPECT_EQ(assets::kChartJsVersion, "4.6.1");
  EXPECT_NE(page.find(std::string(assets::kChartJs.substr(0, 200))), std::string::npos);
  EXPECT_NE(page.find("Chart.js</a> 4.6.1 (MIT License)"), std::string::npos);
  EXPECT_NE(page.find("Permission is hereby granted"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  // No reference to anything outside the page.
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
}

}  // namespace
}  // namespace sysfence::report
