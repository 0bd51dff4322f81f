// SPDX-License-Identifier: Apache-2.0
// "Did you mean ...?" for unknown names.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sysfence {

/// Names longer than this get no suggestion: no identifier is that long, and the edit distance
/// costs the product of the lengths.
inline constexpr size_t kMaxSuggestedNameLength = 64;

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo
/// (distance at most a third of the name's length, and at least 1 allowed). Never for names longer
/// than kMaxSuggestedNameLength; candidates whose length alone rules them out are skipped.
std::optional<std::string> NearestName(std::string_view name, std::span<const std::string_view> candidates);

/// "; did you mean 'x'?" or an empty string, for appending to error messages.
std::string DidYouMean(std::string_view name, std::span<const std::string_view> candidates);

/// "did you mean 'x'?" or an empty string: a Diagnostic's hint, which is printed on a line of its
/// own ("  hint: did you mean 'x'?"), so it has no separator.
std::string DidYouMeanHint(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace sysfence
