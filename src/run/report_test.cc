// SPDX-License-Identifier: Apache-2.0
#include "run/report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "policy/parser.h"

namespace sysfence::run {
namespace {

policy::Policy Parsed(std::string_view text) {
  Diagnostics diagnostics;
  std::optional<policy::Policy> parsed = policy::ParsePolicy(text, "p.sfp", diagnostics);
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(policy::Policy{});
}

// The summary's Landlock lines are the ones `merge` adds for the same accesses: a line covered by
// a broader one (or by the policy) is left out; a key that is no fs/net line stays as it is.
TEST(ReporterTest, TheSummarysLandlockLinesAreWhatMergeWouldAdd) {
  SupervisorStats stats;
  Reporter reporter(ReportLimits{RunMode::kMonitor}, {}, nullptr, &stats);
  const std::vector<std::string> keys = {
      "fs read-file /srv/app/conf", "fs read /srv/app", "fs read-file /usr/share/x", "net bind tcp 8123",
      "# scope.signal denied by the walls between the program and sysfence (docs/run.md)", "fs read /srv/app"};
  for (const std::string& key : keys) reporter.CountLandlock(key);
  RunSummary summary;
  reporter.Summarize(summary, Parsed("arch x86_64\ndefault allow\nfs read /usr\nnet connect tcp 443\n"));
  EXPECT_EQ(summary.suggested_lines,
            (std::vector<std::string>{"fs read /srv/app", "net bind tcp 8123",
                                      "# scope.signal denied by the walls between the program and sysfence "
                                      "(docs/run.md)"}));
}

}  // namespace
}  // namespace sysfence::run
