// SPDX-License-Identifier: Apache-2.0
#include "watch/metrics.h"

#include <gtest/gtest.h>

#include "watch/alert_dedup.h"

namespace sysfence::watch {
namespace {

Violation Denial(const std::string& comm) {
  Violation v;
  v.kind = ViolationKind::kSeccomp;
  v.action = "errno";
  v.syscall = "uname";
  v.nr = 63;
  v.arch = "x86_64";
  v.comm = comm;
  return v;
}

TEST(WatchMetricsTest, RendersCountersWithLabels) {
  WatchMetrics metrics;
  metrics.CountViolation(Denial("curl"));
  metrics.CountViolation(Denial("curl"));
  metrics.CountRecord(1326);
  metrics.CountLost("socket-overflow", 4);
  metrics.SetAuditStatus(1, 3, 8192, 17);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("sysfence_watch_violations_total{kind=\"seccomp\",action=\"errno\",syscall=\"uname\","
                      "comm=\"curl\",container=\"\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sysfence_watch_records_lost_total{cause=\"socket-overflow\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("sysfence_watch_audit_backlog 3\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE sysfence_watch_violations_total counter\n"), std::string::npos);
  EXPECT_EQ(metrics.lost_total(), 4u);
}

TEST(WatchMetricsTest, LabelCardinalityIsBounded) {
  WatchMetrics metrics(10);
  for (int i = 0; i < 1000; ++i) metrics.CountViolation(Denial("prog" + std::to_string(i)));
  EXPECT_EQ(metrics.series(), 11u);  // ten, and the folded one
  EXPECT_EQ(metrics.folded(), 990u);
  EXPECT_NE(metrics.Render().find("comm=\"_other_\",container=\"_other_\"} 990\n"), std::string::npos);
}

TEST(WatchMetricsTest, HostileLabelValuesAreEscapedAndCut) {
  EXPECT_EQ(PrometheusLabelValue("a\"b\\c\nd\x01\xff"), "a\\\"b\\\\c\\nd??");
  EXPECT_EQ(PrometheusLabelValue(std::string(200, 'x')).size(), 64u);
}

TEST(AlertDedupTest, OneAlertPerKindPerWindow) {
  AlertDedup dedup(1000);
  EXPECT_TRUE(dedup.ShouldAlert(Denial("a"), 0));
  EXPECT_FALSE(dedup.ShouldAlert(Denial("a"), 500));
  Violation other = Denial("a");
  other.syscall = "socket";
  other.nr = 41;
  EXPECT_TRUE(dedup.ShouldAlert(other, 500));
  EXPECT_TRUE(dedup.ShouldAlert(Denial("a"), 1000));
  EXPECT_EQ(dedup.suppressed(), 1u);
}

}  // namespace
}  // namespace sysfence::watch
