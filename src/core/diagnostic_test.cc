// SPDX-License-Identifier: Apache-2.0
#include "core/diagnostic.h"

#include <gtest/gtest.h>

#include <string>

namespace sysfence {
namespace {

TEST(DiagnosticTest, RendersLocationLineAndCaret) {
  Diagnostic d{Severity::kError, {"web.sfp", 2, 7, 4, ""}, "unknown syscall 'reed'", "did you mean 'read'?"};
  EXPECT_EQ(RenderDiagnostic(d, "arch x86_64\nallow reed\n"),
            "web.sfp:2:7: error: unknown syscall 'reed'\n"
            "  allow reed\n"
            "        ^~~~\n"
            "  hint: did you mean 'read'?\n");
}

TEST(DiagnosticTest, JsonPathsAndCounts) {
  Diagnostics list;
  list.Warning({"p.json", 0, 0, 0, "$.syscalls[2].action"}, "odd");
  EXPECT_FALSE(list.HasErrors());
  EXPECT_TRUE(list.HasWarnings());
  list.Error({"p.json", 0, 0, 0, "$.defaultAction"}, "bad");
  EXPECT_TRUE(list.HasErrors());
  EXPECT_EQ(RenderDiagnostic(list.all()[1]), "p.json: $.defaultAction: error: bad\n");
}

TEST(DiagnosticTest, KeepsABoundedNumberButCountsAll) {
  Diagnostics list;
  const size_t many = kMaxStoredDiagnostics + 500;
  for (size_t i = 0; i < many; ++i) list.Warning({"p.sfp", static_cast<uint32_t>(i + 1), 1, 1, ""}, "dup");
  list.Error({"p.sfp", 1, 1, 1, ""}, "the first error is kept after many warnings");
  EXPECT_EQ(list.all().size(), kMaxStoredDiagnostics + 1);
  EXPECT_EQ(list.warning_count(), many);
  EXPECT_EQ(list.error_count(), 1u);
  EXPECT_EQ(list.dropped(), 500u);
  EXPECT_TRUE(list.HasErrors());
  EXPECT_EQ(list.all().back().message, "the first error is kept after many warnings");
  EXPECT_EQ(RenderOmitted(list, kMaxRenderedDiagnostics),
            std::to_string(many + 1 - kMaxRenderedDiagnostics) + " more diagnostics not shown (1 errors, " +
                std::to_string(many) + " warnings in all)\n");
  EXPECT_EQ(RenderOmitted(list, many + 1), "");
  Diagnostics copy;
  copy.Append(list);
  EXPECT_EQ(copy.warning_count(), many);
  EXPECT_EQ(copy.error_count(), 1u);
}

TEST(DiagnosticTest, LongLinesAreCutAroundTheSpan) {
  const std::string line = std::string(100000, 'x') + " allow reed " + std::string(100000, 'y');
  Diagnostic d{Severity::kError, {"p.sfp", 1, 100008, 4, ""}, "unknown syscall 'reed'", ""};
  const std::string out = RenderDiagnostic(d, line);
  EXPECT_LT(out.size(), 500u) << out.size();
  // The caret still sits under "reed".
  const size_t first_newline = out.find('\n');
  const size_t second_newline = out.find('\n', first_newline + 1);
  const std::string shown = out.substr(first_newline + 1, second_newline - first_newline - 1);
  const std::string marker = out.substr(second_newline + 1, out.find('\n', second_newline + 1) - second_newline - 1);
  ASSERT_EQ(marker.find('^'), shown.find("reed")) << shown << "\n" << marker;
  EXPECT_EQ(marker.substr(marker.find('^')), "^~~~");
}

}  // namespace
}  // namespace sysfence
