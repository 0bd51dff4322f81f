// SPDX-License-Identifier: Apache-2.0
// The skip guard, linked into every test binary (sysfence_test in the top CMakeLists.txt): with
// SYSFENCE_REQUIRE_FEATURES=1 in the environment (CI sets it through scripts/test.sh), a skipped
// test becomes a failure unless its reason names, as "[feature: NAME]", a feature listed in
// SYSFENCE_MISSING_FEATURES — what scripts/probe-machine.sh, a probe that shares no code with
// sysfence, found missing on this machine. Without the switch, skips stay skips.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sysfence::testguard {

/// The NAMEs of every "[feature: NAME]" tag in a skip reason, in order.
std::vector<std::string> FeatureTags(std::string_view reason);

/// Splits SYSFENCE_MISSING_FEATURES (names separated by spaces, commas or newlines).
std::vector<std::string> SplitFeatureList(std::string_view list);

/// "" when a skip with `reason` is acceptable on a machine lacking `missing`; otherwise why not.
std::string SkipVerdict(std::string_view reason, const std::vector<std::string>& missing);

}  // namespace sysfence::testguard
