// SPDX-License-Identifier: Apache-2.0
#include "core/suggest.h"

#include <algorithm>
#include <vector>

namespace sysfence {
namespace {

// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours
// each cost 1, since swapped letters are the commonest typo.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> NearestName(std::string_view name, std::span<const std::string_view> candidates) {
  if (name.size() > kMaxSuggestedNameLength) return std::nullopt;
  const size_t limit = std::max<size_t>(1, name.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    // The distance is at least the difference in length.
    const size_t gap = candidate.size() > name.size() ? candidate.size() - name.size() : name.size() - candidate.size();
    if (gap >= best_distance) continue;
    const size_t distance = EditDistance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string DidYouMeanHint(std::string_view name, std::span<const std::string_view> candidates) {
  auto nearest = NearestName(name, candidates);
  return nearest ? "did you mean '" + *nearest + "'?" : std::string();
}

std::string DidYouMean(std::string_view name, std::span<const std::string_view> candidates) {
  const std::string hint = DidYouMeanHint(name, candidates);
  return hint.empty() ? hint : "; " + hint;
}

}  // namespace sysfence
