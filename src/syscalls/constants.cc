// SPDX-License-Identifier: Apache-2.0
// Lookups over the generated constants table.
#include <algorithm>

#include "syscalls/constants_data.h"
#include "syscalls/syscalls.h"

namespace sysfence::syscalls {

const Constant* FindConstant(std::string_view name) {
  const std::span<const Constant> constants = internal::SortedConstants();
  auto it = std::lower_bound(constants.begin(), constants.end(), name,
                             [](const Constant& constant, std::string_view key) { return constant.name < key; });
  if (it == constants.end() || it->name != name) return nullptr;
  return &*it;
}

std::span<const Constant> AllConstants() { return internal::SortedConstants(); }

std::vector<std::string_view> ConstantNamesFor(std::string_view family, uint64_t value) {
  std::vector<std::string_view> names;
  for (const Constant& constant : internal::SortedConstants()) {
    if (constant.family == family && constant.value == value) names.push_back(constant.name);
  }
  return names;
}

}  // namespace sysfence::syscalls
