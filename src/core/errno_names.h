// SPDX-License-Identifier: Apache-2.0
// errno names ↔ numbers (the generic Linux values, shared by all ABIs sysfence targets).
#pragma once

#include <optional>
#include <string_view>

namespace sysfence {

/// The number of an errno name such as "EPERM"; nullopt when unknown.
std::optional<int> ErrnoFromName(std::string_view name);

/// The name of errno `value` ("EPERM"), or an empty view when it has none.
std::string_view ErrnoName(int value);

}  // namespace sysfence
