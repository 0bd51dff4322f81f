// SPDX-License-Identifier: Apache-2.0
// Table-driven diagnostics: every cases/NAME.sfp is parsed (includes relative to it) and linted, and
// the rendered diagnostics must equal cases/NAME.out, whose first line is the exit status `sysfence
// check` gives ("exit: 2"). Run with SYSFENCE_UPDATE_GOLDEN=1 to rewrite the .out files (then review
// the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "policy/lint.h"
#include "policy/parser.h"
#include "policy/printer.h"
#include "policy/render.h"

namespace sysfence::policy {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = SYSFENCE_DIAG_CASES;

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// What `sysfence check` would print to stderr and the status it would exit with.
std::string Check(const std::string& name) {
  const std::optional<std::string> text = ReadFile(kCases / name);
  if (!text) return "cannot read " + name;
  ParseOptions options;
  std::map<std::string, std::string> sources;
  options.sources = &sources;
  // Include names are shown relative to the cases folder, so the expectations do not depend on
  // where the source tree is.
  options.resolve_include = [](std::string_view include,
                               std::string_view including) -> Result<std::pair<std::string, std::string>> {
    const std::string shown = (fs::path(including).parent_path() / include).lexically_normal().string();
    std::optional<std::string> content = ReadFile(kCases / shown);
    if (!content) return MakeError(ErrorCode::kNotFound, "cannot include '" + std::string(include) + "': no such file '" + shown + "'");
    return std::make_pair(shown, *content);
  };
  Diagnostics diagnostics;
  std::optional<Policy> policy = ParsePolicy(*text, name, diagnostics, options);
  if (policy) LintPolicy(*policy, diagnostics);
  const int status = diagnostics.HasErrors() ? 2 : diagnostics.HasWarnings() ? 1 : 0;
  return "exit: " + std::to_string(status) + "\n" + RenderDiagnostics(diagnostics, sources);
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(kCases)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sfp") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DiagTest, EveryCaseMatchesItsExpectedDiagnostics) {
  const std::vector<std::string> names = CaseNames();
  ASSERT_GE(names.size(), 30u) << "cases are missing from " << kCases;
  const bool update = std::getenv("SYSFENCE_UPDATE_GOLDEN") != nullptr;
  for (const std::string& name : names) {
    const std::string actual = Check(name);
    const fs::path expected_path = kCases / (name.substr(0, name.size() - 4) + ".out");
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    const std::optional<std::string> expected = ReadFile(expected_path);
    ASSERT_TRUE(expected.has_value()) << "missing " << expected_path;
    EXPECT_EQ(actual, *expected) << "case " << name;
  }
}

TEST(DiagTest, EveryErrorCaseFailsAndEveryWarningCaseWarns) {
  // The naming convention keeps the table honest: warn_* cases are valid policies with warnings,
  // clean* cases have no diagnostics, and every other case is invalid.
  for (const std::string& name : CaseNames()) {
    const std::string result = Check(name);
    const std::string status = result.substr(0, result.find('\n'));
    if (name.rfind("warn_", 0) == 0) {
      EXPECT_EQ(status, "exit: 1") << name;
    } else if (name.rfind("clean", 0) == 0) {
      EXPECT_EQ(status, "exit: 0") << name;
    } else {
      EXPECT_EQ(status, "exit: 2") << name;
    }
  }
}

// The shipped examples are valid, draw no warning, and (unless they include others) are canonical.
TEST(DiagTest, ExamplesAreCleanAndCanonical) {
  const fs::path examples = SYSFENCE_EXAMPLES;
  size_t count = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(examples)) {
    if (entry.path().extension() != ".sfp") continue;
    ++count;
    const std::string name = entry.path().string();
    const std::optional<std::string> text = ReadFile(entry.path());
    ASSERT_TRUE(text.has_value()) << name;
    ParseOptions options;
    std::map<std::string, std::string> sources;
    options.sources = &sources;
    Diagnostics diagnostics;
    std::optional<Policy> policy = ParsePolicy(*text, name, diagnostics, options);
    if (policy) LintPolicy(*policy, diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << RenderDiagnostics(diagnostics, sources);
    if (policy && sources.size() == 1) {
      EXPECT_EQ(PrintPolicy(*policy), *text) << name << " is not canonical";
    }
  }
  EXPECT_GE(count, 3u);
}

}  // namespace
}  // namespace sysfence::policy
