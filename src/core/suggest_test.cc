// SPDX-License-Identifier: Apache-2.0
#include "core/suggest.h"

#include <gtest/gtest.h>

#include <array>

namespace sysfence {
namespace {

TEST(SuggestTest, FindsTyposOnly) {
  constexpr std::array<std::string_view, 4> kNames = {"read", "readv", "openat", "write"};
  EXPECT_EQ(NearestName("opnat", kNames), "openat");
  EXPECT_EQ(NearestName("reed", kNames), "read");
  EXPECT_FALSE(NearestName("frobnicate", kNames).has_value());
  EXPECT_EQ(DidYouMean("wirte", kNames), "; did you mean 'write'?");
}

}  // namespace
}  // namespace sysfence
