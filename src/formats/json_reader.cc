// SPDX-License-Identifier: Apache-2.0
#include "formats/json_reader.h"

#include <cctype>
#include <utility>
#include <vector>

namespace sysfence::formats {
namespace {

using Json = nlohmann::json;

// "$.name" for plain keys, "$[\"odd key\"]" for the rest.
std::string KeyStep(const std::string& key) {
  bool plain = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
  for (char c : key) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return plain ? "." + key : "[" + Json(key).dump() + "]";
}

// Builds the document from SAX events, keeping the path of the value being read so a failure can
// say where it happened. Iterative: no recursion on the input's nesting.
class PathTrackingBuilder final : public nlohmann::json_sax<Json> {
 public:
  PathTrackingBuilder(size_t max_depth, JsonReadError* error) : max_depth_(max_depth), error_(error) {}

  Json Take() { return std::move(root_); }

  bool null() override { return Add(Json(nullptr)) != nullptr; }
  bool boolean(bool value) override { return Add(Json(value)) != nullptr; }
  bool number_integer(number_integer_t value) override { return Add(Json(value)) != nullptr; }
  bool number_unsigned(number_unsigned_t value) override { return Add(Json(value)) != nullptr; }
  bool number_float(number_float_t value, const string_t&) override { return Add(Json(value)) != nullptr; }
  bool string(string_t& value) override { return Add(Json(std::move(value))) != nullptr; }
  bool binary(binary_t& value) override { return Add(Json::binary(std::move(value))) != nullptr; }
  bool start_object(std::size_t) override { return Open(Json::object()); }
  bool start_array(std::size_t) override { return Open(Json::array()); }
  bool key(string_t& value) override {
    open_.back().key = value;
    return true;
  }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const Json::exception& failure) override {
    error_->json_path = Path();
    // `position` counts the characters read, the offending one included.
    error_->offset = position > 0 ? position - 1 : 0;
    if (failure.id == 406) {  // out_of_range: a number no double can hold
      error_->kind = JsonReadError::Kind::kRange;
      error_->offset = position >= last_token.size() ? position - last_token.size() : 0;
      error_->reason = "number " + last_token + " is out of range";
    } else {
      std::string what = failure.what();
      if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
      error_->reason = what;
    }
    return false;
  }

 private:
  struct Level {
    Json* value;
    std::string key;  // objects: the key of the member being read
  };

  std::string Path() const {
    std::string path = "$";
    for (size_t i = 0; i < open_.size(); ++i) {
      const Json& container = *open_[i].value;
      // An outer array already holds the element being read; the innermost one does not yet.
      const size_t index = i + 1 < open_.size() ? container.size() - 1 : container.size();
      path += container.is_array() ? "[" + std::to_string(index) + "]" : KeyStep(open_[i].key);
    }
    return path;
  }

  // Stores `value` where the parser is (the root, the next array element or the current member).
  Json* Add(Json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *open_.back().value;
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& member = parent[open_.back().key];
    member = std::move(value);
    return &member;
  }

  bool Open(Json empty) {
    if (open_.size() >= max_depth_) {
      error_->json_path = Path();
      error_->reason = "nested deeper than " + std::to_string(max_depth_) + " levels";
      error_->kind = JsonReadError::Kind::kDepth;
      return false;
    }
    Json* value = Add(std::move(empty));
    open_.push_back(Level{value, {}});
    return true;
  }

  bool Close() {
    open_.pop_back();
    return true;
  }

  size_t max_depth_;
  JsonReadError* error_;
  Json root_;
  std::vector<Level> open_;
};

}  // namespace

std::optional<nlohmann::json> ReadJson(std::string_view text, JsonReadError* error, size_t max_depth) {
  JsonReadError failure;
  PathTrackingBuilder builder(max_depth, &failure);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const Json::exception& e) {  // defensive: sax_parse reports through parse_error
    failure.reason = e.what();
    ok = false;
  }
  if (ok) return builder.Take();
  if (failure.reason.empty()) failure.reason = "not valid JSON";
  if (error != nullptr) *error = std::move(failure);
  return std::nullopt;
}

}  // namespace sysfence::formats
