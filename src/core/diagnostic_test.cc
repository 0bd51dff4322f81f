// SPDX-License-Identifier: Apache-2.0
#include "core/diagnostic.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sysfence
