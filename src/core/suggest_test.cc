// SPDX-License-Identifier: Apache-2.0
#include "core/suggest.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace sysfence {
namespace {

TEST(SuggestTest, FindsTyposOnly) {
  constexpr std::array<std::string_view, 4> kNames = {"read", "readv", "openat", "write"};
  EXPECT_EQ(NearestName("opnat", kNames), "openat");
  EXPECT_EQ(NearestName("reed", kNames), "read");
  EXPECT_FALSE(NearestName("frobnicate", kNames).has_value());
  EXPECT_EQ(DidYouMean("wirte", kNames), "; did you mean 'write'?");
  // A hint stands on its own line: no separator.
  EXPECT_EQ(DidYouMeanHint("wirte", kNames), "did you mean 'write'?");
  EXPECT_EQ(DidYouMeanHint("frobnicate", kNames), "");
  EXPECT_EQ(DidYouMean("frobnicate", kNames), "");
}

TEST(SuggestTest, LongNamesGetNoSuggestionAndStayFast) {
  constexpr std::array<std::string_view, 2> kNames = {"read", "readv"};
  // Just over the cut-off: no suggestion even though a candidate is a prefix.
  EXPECT_FALSE(NearestName("read" + std::string(kMaxSuggestedNameLength, 'v'), kNames).has_value());
  // A megabyte name returns at once (the edit distance would cost 10^6 x the candidates).
  EXPECT_FALSE(NearestName(std::string(size_t{1} << 20, 'r'), kNames).has_value());
  // Names at the cut-off still get one.
  constexpr std::array<std::string_view, 1> kLong = {"a_rather_long_but_plausible_identifier_name"};
  EXPECT_EQ(NearestName("a_rather_long_but_plausible_identifer_name", kLong), kLong[0]);
}

}  // namespace
}  // namespace sysfence
