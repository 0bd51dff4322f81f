// SPDX-License-Identifier: Apache-2.0
#include "inspect/equivalence.h"

#include <optional>
#include <string>

#include <fmt/format.h>

namespace sysfence::inspect {
namespace {

std::string DescribeInput(const bpf::SeccompData& data) {
  return fmt::format("nr={:#x} arch={:#x} ip={:#x} args=[{:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}]",
                     static_cast<uint32_t>(data.nr), data.arch, data.instruction_pointer, data.args[0], data.args[1],
                     data.args[2], data.args[3], data.args[4], data.args[5]);
}

// Runs both stacks on the region's representative and checks the explorer's outcome against it.
std::optional<Error> CrossCheck(const FilterStack& stack, const bpf::SeccompData& data, const StackOutcome& expected,
                                const char* side) {
  auto actual = EvaluateStack(stack, data);
  if (!actual.ok()) return actual.error();
  if (actual->value != expected.value) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("the {} filter returns {:#x} on {} but the analysis expected {:#x}", side,
                                 actual->value, DescribeInput(data), expected.value));
  }
  return std::nullopt;
}

}  // namespace

Result<EquivalenceReport> CheckEquivalence(const FilterStack& left, const FilterStack& right,
                                           const EquivalenceOptions& options) {
  EquivalenceReport report;
  std::optional<Error> failure;
  ExploreOptions explore_options;
  explore_options.max_leaves = options.max_regions;
  auto on_left = [&](const Region& left_region, const StackOutcome& left_outcome) {
    auto on_right = [&](const Region& region, const StackOutcome& right_outcome) {
      std::optional<bpf::SeccompData> witness = region.Witness();
      if (!witness) {
        failure = MakeError(ErrorCode::kInternal, "the explorer produced an empty region");
        return false;
      }
      ++report.regions;
      failure = CrossCheck(left, *witness, left_outcome, "first");
      if (!failure) failure = CrossCheck(right, *witness, right_outcome, "second");
      if (failure) return false;
      if (Action::FromSeccompRet(left_outcome.value) == Action::FromSeccompRet(right_outcome.value)) return true;
      ++report.difference_count;
      if (report.differences.size() < options.max_differences) {
        report.differences.push_back(Difference{region, *witness, left_outcome, right_outcome});
      }
      return true;
    };
    auto inner = Explore(right, left_region, on_right, explore_options);
    if (!inner.ok() && !failure) failure = inner.error();
    return !failure;
  };
  auto outer = Explore(left, options.start, on_left, explore_options);
  if (failure) return *failure;
  if (!outer.ok()) return outer.error();
  return report;
}

}  // namespace sysfence::inspect
