// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/value_sets.h"

#include <algorithm>
#include <stdexcept>

namespace sysfence::cli {
namespace {

// The validator's name: how OneOfWords finds it among an option's validators.
constexpr const char* kValidatorName = "one-of";

std::string Joined(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

}  // namespace

CLI::Option* OneOf(CLI::Option* option, const std::vector<std::string>& words,
                   std::function<bool(const std::string&)> accepts) {
  for (const std::string& word : words) {
    // The description "{a,b}" is the list OneOfWords reads back: a word with these would not survive.
    if (word.empty() || word.find_first_of(",{}") != std::string::npos) {
      throw std::logic_error("OneOf: '" + word + "' cannot be listed");
    }
    if (!accepts(word)) throw std::logic_error("OneOf: '" + word + "' is offered but not accepted");
  }
  CLI::Validator validator(
      [words, accepts](std::string& value) -> std::string {
        if (accepts(value)) return "";
        return "'" + value + "' is not one of " + Joined(words, ", ");
      },
      "{" + Joined(words, ",") + "}", kValidatorName);
  return option->check(validator);
}

CLI::Option* OneOf(CLI::Option* option, const std::vector<std::string>& words) {
  return OneOf(option, words, [words](const std::string& value) {
    return std::find(words.begin(), words.end(), value) != words.end();
  });
}

std::vector<std::string> OneOfWords(const CLI::Option& option) {
  // CLI11 2.1 has no const lookup of validators; nothing is modified.
  CLI::Option& readable = const_cast<CLI::Option&>(option);
  std::string description;
  try {
    description = readable.get_validator(kValidatorName)->get_description();
  } catch (const CLI::OptionNotFound&) {
    return {};
  }
  std::vector<std::string> words;
  std::string word;
  for (char c : description.substr(1, description.size() - 2)) {
    if (c == ',') {
      words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  words.push_back(word);
  return words;
}

}  // namespace sysfence::cli
