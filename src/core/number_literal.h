// SPDX-License-Identifier: Apache-2.0
// Number literals as sysfence's text formats write them: 42, 0x2a, 0b101010, 0o52 and C-style 052.
#pragma once

#include <cstdint>
#include <string_view>

namespace sysfence {

/// Parses the digits of a number literal (no sign) into `value`. False when malformed; `overflow`
/// is set when the digits do not fit in 64 bits (the value is then meaningless).
bool ParseNumberLiteral(std::string_view text, uint64_t& value, bool& overflow);

}  // namespace sysfence
