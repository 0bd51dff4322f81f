// SPDX-License-Identifier: Apache-2.0
// The supervisor's reporting of kernel denials (no kernel needed: records are handed to it), and
// the limits that keep a denial loop from filling the disk.
#include "run/supervisor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sysfence::run {
namespace {

policy::Policy UnameDenied() {
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  policy.default_action = Action::Allow();
  policy.badarch_action = Action::KillProcess();
  policy::Rule rule;
  rule.action = Action::Errno(EACCES);
  rule.targets = {"uname"};
  rule.span.file = "p.sfp";
  rule.span.line = 3;
  policy.rules.push_back(rule);
  return policy;
}

SeccompAuditRecord UnameRecord() {
  SeccompAuditRecord record;
  record.pid = 77;
  record.comm = "prog\x1b[2J";  // program-chosen, with a terminal escape
  record.exe = "/bin/prog";
  record.arch = 0xc000003e;
  record.syscall = 63;
  record.code = 0x00050000;
  return record;
}

class SupervisorReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/sysfence-supervisor-XXXXXX";
    fd_ = mkstemp(name);
    ASSERT_GE(fd_, 0);
    path_ = name;
  }
  void TearDown() override { unlink(path_.c_str()); }
  std::vector<nlohmann::json> Lines() {
    std::ifstream in(path_);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  int fd_ = -1;
  std::string path_;
};

TEST_F(SupervisorReportTest, AKernelDenialBecomesAnAuditEventNamingTheRule) {
  const policy::Policy policy = UnameDenied();
  BufferedWriter json(fd_, true);
  SupervisorOptions options;
  options.policy = &policy;
  options.json = &json;
  {
    Supervisor supervisor(-1, options);
    supervisor.HandleDenial(UnameRecord());
    EXPECT_EQ(supervisor.stats().denials, 1u);
  }
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["source"], "audit");
  EXPECT_EQ(lines[0]["syscall"], "uname");
  EXPECT_EQ(lines[0]["action"], "errno EACCES");
  EXPECT_EQ(lines[0]["outcome"], "denied");
  EXPECT_EQ(lines[0]["rule"], "p.sfp:3");
  EXPECT_EQ(lines[0]["pid"], 77);
  EXPECT_EQ(lines[0]["comm"], "prog\x1b[2J");  // JSON keeps the bytes, escaped
}

TEST_F(SupervisorReportTest, KillRecordsAreKillsOfThatProcess) {
  policy::Policy policy = UnameDenied();
  policy.rules[0].action = Action::KillProcess();
  SupervisorOptions options;
  options.policy = &policy;
  Supervisor supervisor(-1, options);
  SeccompAuditRecord record = UnameRecord();
  record.code = 0x80000000;
  supervisor.HandleDenial(record);
  EXPECT_TRUE(supervisor.KilledForPolicy(77));
  EXPECT_FALSE(supervisor.KilledForPolicy(78));
  EXPECT_EQ(supervisor.stats().kills, 1u);
}

// A program retrying a denied call forever writes the first N events of the shape; the rest are
// counted, and the summary says how many.
TEST_F(SupervisorReportTest, RepeatedDenialsAreAggregatedAfterThePerShapeLimit) {
  const policy::Policy policy = UnameDenied();
  BufferedWriter json(fd_, true);
  SupervisorOptions options;
  options.policy = &policy;
  options.json = &json;
  options.max_events_per_shape = 10;
  RunSummary summary;
  {
    Supervisor supervisor(-1, options);
    for (int i = 0; i < 1000; ++i) supervisor.HandleDenial(UnameRecord());
    summary = supervisor.Summary(0);
  }
  EXPECT_EQ(Lines().size(), 10u);
  EXPECT_EQ(summary.events_written, 10u);
  EXPECT_EQ(summary.events_aggregated, 990u);
  EXPECT_FALSE(summary.events_capped);
  ASSERT_EQ(summary.counts.size(), 1u);
  EXPECT_EQ(summary.counts[0].second, 1000u);
  EXPECT_NE(SummaryHumanText(summary).find("990 repeated call(s) were counted"), std::string::npos);
}

TEST_F(SupervisorReportTest, TheEventsFileStopsAtItsSizeCap) {
  const policy::Policy policy = UnameDenied();
  BufferedWriter json(fd_, true);
  SupervisorOptions options;
  options.policy = &policy;
  options.json = &json;
  options.max_events_per_shape = 1000;
  options.max_event_bytes = 1500;  // room for a few events
  RunSummary summary;
  {
    Supervisor supervisor(-1, options);
    for (int i = 0; i < 100; ++i) supervisor.HandleDenial(UnameRecord());
    summary = supervisor.Summary(0);
  }
  const size_t written = Lines().size();
  EXPECT_GE(written, 1u);
  EXPECT_LE(written, 6u);
  EXPECT_EQ(summary.events_written, written);
  EXPECT_EQ(summary.events_aggregated, 100 - written);
  EXPECT_TRUE(summary.events_capped);
}

}  // namespace
}  // namespace sysfence::run
