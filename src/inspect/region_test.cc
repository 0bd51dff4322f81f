// SPDX-License-Identifier: Apache-2.0
#include "inspect/region.h"

#include <gtest/gtest.h>

#include <random>

namespace sysfence::inspect {
namespace {

// Brute force over a small universe: the witness exists exactly when some value admits, and admits.
void ExpectWitnessMatchesBruteForce(const WordConstraint& c, uint32_t universe) {
  bool any = false;
  for (uint32_t v = 0; v < universe; ++v) any = any || c.Admits(v);
  const std::optional<uint32_t> witness = c.Witness();
  if (any) {
    ASSERT_TRUE(witness.has_value()) << c.ToString();
    EXPECT_TRUE(c.Admits(*witness)) << c.ToString();
  } else if (witness) {
    EXPECT_TRUE(c.Admits(*witness)) << c.ToString();
    EXPECT_GE(*witness, universe) << c.ToString();
  }
}

TEST(RegionTest, NextMatchingFindsTheSmallestValueWithTheFixedBits) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const uint32_t mask = static_cast<uint32_t>(rng()) & 0xff, bits = static_cast<uint32_t>(rng()) & mask;
    const uint32_t x = static_cast<uint32_t>(rng()) & 0x3ff;
    std::optional<uint32_t> expected;
    for (uint32_t y = x; y < 0x1000; ++y) {
      if ((y & mask) == bits) {
        expected = y;
        break;
      }
    }
    EXPECT_EQ(NextMatching(x, mask, bits), expected) << x << " " << mask << " " << bits;
  }
  EXPECT_EQ(NextMatching(0xffffffffu, 1, 0), std::nullopt);
  EXPECT_EQ(NextMatching(0x80000001u, 0x80000000u, 0), std::nullopt);
}

TEST(RegionTest, AddedTestsNarrowTheWordExactly) {
  std::mt19937_64 rng(11);
  const WordTest tests[] = {WordTest::kEq, WordTest::kGt, WordTest::kGe, WordTest::kSet};
  for (int round = 0; round < 3000; ++round) {
    WordConstraint c;
    std::vector<std::tuple<uint32_t, WordTest, uint32_t, bool>> added;
    const int count = 1 + static_cast<int>(rng() % 5);
    for (int i = 0; i < count; ++i) {
      const WordTest test = tests[rng() % 4];
      const uint32_t mask = (test == WordTest::kGt || test == WordTest::kGe || rng() % 2) ? UINT32_MAX
                                                                                          : static_cast<uint32_t>(rng()) & 0x3f;
      const uint32_t k = static_cast<uint32_t>(rng()) & 0x3f;
      const bool holds = rng() % 2;
      ASSERT_TRUE(c.Add(mask, test, k, holds));
      added.emplace_back(mask, test, k, holds);
    }
    // Admits must equal the conjunction of the added tests on every value of the universe.
    for (uint32_t v = 0; v < 0x80; ++v) {
      bool expected = true;
      for (const auto& [mask, test, k, holds] : added) {
        const uint32_t w = v & mask;
        bool result = test == WordTest::kEq ? w == k : test == WordTest::kGt ? w > k : test == WordTest::kGe ? w >= k : (w & k) != 0;
        expected = expected && result == holds;
      }
      ASSERT_EQ(c.Admits(v), expected) << c.ToString() << " v=" << v;
    }
    ExpectWitnessMatchesBruteForce(c, 0x80);
  }
}

TEST(RegionTest, MaskedExclusionsAreSolvedBitByBit) {
  WordConstraint c;
  ASSERT_TRUE(c.Add(0x3, WordTest::kEq, 0, false));
  ASSERT_TRUE(c.Add(0x3, WordTest::kEq, 1, false));
  ASSERT_TRUE(c.Add(0x3, WordTest::kEq, 2, false));
  EXPECT_EQ(c.Witness(), 3u);
  ASSERT_TRUE(c.Add(0x3, WordTest::kEq, 3, false));
  EXPECT_EQ(c.Witness(), std::nullopt);
}

TEST(RegionTest, OrderingOnAPartlyMaskedWordIsRefused) {
  WordConstraint c;
  EXPECT_FALSE(c.Add(0xff, WordTest::kGt, 3, true));
}

TEST(RegionTest, WitnessOfARegionIsInsideIt) {
  Region region;
  ASSERT_TRUE(region.words[word::kArch].Add(UINT32_MAX, WordTest::kEq, 0xc000003e, true));
  ASSERT_TRUE(region.words[word::kNr].Add(UINT32_MAX, WordTest::kGt, 400, true));
  ASSERT_TRUE(region.words[word::ArgHi(1)].Add(UINT32_MAX, WordTest::kEq, 0, false));
  const auto data = region.Witness();
  ASSERT_TRUE(data.has_value());
  EXPECT_TRUE(region.Admits(*data));
  EXPECT_EQ(data->arch, 0xc000003eu);
  EXPECT_EQ(data->nr, 401);
  EXPECT_EQ(data->args[1] >> 32, 1u);
}

}  // namespace
}  // namespace sysfence::inspect
