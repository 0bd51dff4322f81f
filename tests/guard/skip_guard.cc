// SPDX-License-Identifier: Apache-2.0
// The skip guard (skip_guard.h): a GoogleTest listener registered before main() runs.
#include "tests/guard/skip_guard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

namespace sysfence::testguard {

std::vector<std::string> FeatureTags(std::string_view reason) {
  constexpr std::string_view kOpen = "[feature: ";
  std::vector<std::string> tags;
  for (size_t at = reason.find(kOpen); at != std::string_view::npos; at = reason.find(kOpen, at + 1)) {
    const size_t start = at + kOpen.size();
    const size_t end = reason.find(']', start);
    if (end == std::string_view::npos) break;
    if (end > start) tags.emplace_back(reason.substr(start, end - start));
  }
  return tags;
}

std::vector<std::string> SplitFeatureList(std::string_view list) {
  std::vector<std::string> names;
  std::string current;
  for (const char c : list) {
    if (c == ' ' || c == ',' || c == '\n' || c == '\t') {
      if (!current.empty()) names.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) names.push_back(std::move(current));
  return names;
}

std::string SkipVerdict(std::string_view reason, const std::vector<std::string>& missing) {
  const std::vector<std::string> tags = FeatureTags(reason);
  for (const std::string& tag : tags) {
    if (std::find(missing.begin(), missing.end(), tag) != missing.end()) return "";
  }
  std::string missing_text;
  for (const std::string& name : missing) missing_text += (missing_text.empty() ? "" : " ") + name;
  if (missing_text.empty()) missing_text = "nothing";
  std::string verdict = "SYSFENCE_REQUIRE_FEATURES=1: this test skipped, and ";
  if (tags.empty()) {
    verdict += "its reason names no [feature: NAME]";
  } else {
    verdict += "scripts/probe-machine.sh finds what it names present here (";
    for (size_t i = 0; i < tags.size(); ++i) verdict += (i == 0 ? "" : ", ") + tags[i];
    verdict += ")";
  }
  verdict += "; missing here: " + missing_text + ". Skip reason: " + std::string(reason);
  return verdict;
}

namespace {

class SkipGuard : public ::testing::EmptyTestEventListener {
 public:
  // Runs before the default printer's OnTestEnd (end events go to listeners in reverse order), so
  // the failure added here is what the printer and ctest see.
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const char* require = std::getenv("SYSFENCE_REQUIRE_FEATURES");
    if (require == nullptr || std::string_view(require) != "1") return;
    const ::testing::TestResult& result = *info.result();
    if (!result.Skipped()) return;
    const char* list = std::getenv("SYSFENCE_MISSING_FEATURES");
    const std::vector<std::string> missing = SplitFeatureList(list != nullptr ? list : "");
    for (int i = 0; i < result.total_part_count(); ++i) {
      const ::testing::TestPartResult& part = result.GetTestPartResult(i);
      if (!part.skipped()) continue;
      const std::string verdict = SkipVerdict(part.message(), missing);
      if (!verdict.empty()) ADD_FAILURE_AT(part.file_name() != nullptr ? part.file_name() : "?", part.line_number()) << verdict;
    }
  }
};

[[maybe_unused]] const bool kRegistered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new SkipGuard);
  return true;
}();

}  // namespace
}  // namespace sysfence::testguard
