// SPDX-License-Identifier: Apache-2.0
#include "core/number_literal.h"

namespace sysfence {

bool ParseNumberLiteral(std::string_view text, uint64_t& value, bool& overflow) {
  overflow = false;
  int base = 10;
  std::string_view digits = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits = text.substr(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    digits = text.substr(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    base = 8;
    digits = text.substr(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;  // C-style octal, as file modes are usually written (0755)
    digits = text.substr(1);
  }
  if (digits.empty()) return false;
  value = 0;
  for (char c : digits) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    if (digit >= base) return false;
    if (value > (~uint64_t{0} - static_cast<uint64_t>(digit)) / static_cast<uint64_t>(base)) overflow = true;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return true;
}

}  // namespace sysfence
