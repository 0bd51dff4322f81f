// SPDX-License-Identifier: Apache-2.0
#include "formats/json_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace sysfence::formats {
namespace {

TEST(JsonReaderTest, ReadsDocuments) {
  JsonReadError error;
  auto json = ReadJson(R"({"a": [1, -2, 3.5, "x", true, null, {"b": {}}], "c": {"d": []}})", &error);
  ASSERT_TRUE(json.has_value()) << error.reason;
  EXPECT_EQ(*json, nlohmann::json::parse(R"({"a": [1, -2, 3.5, "x", true, null, {"b": {}}], "c": {"d": []}})"));
  auto scalar = ReadJson("42", &error);
  ASSERT_TRUE(scalar.has_value());
  EXPECT_EQ(*scalar, 42);
}

TEST(JsonReaderTest, NumbersOutOfRangeNameTheirPathAndOffset) {
  JsonReadError error;
  const std::string text = R"({"syscalls": [{"names": ["read"]}, {"args": [{"value": 1}, {"value": 1e400}]}]})";
  EXPECT_FALSE(ReadJson(text, &error).has_value());
  EXPECT_EQ(error.json_path, "$.syscalls[1].args[1].value");
  EXPECT_EQ(error.reason, "number 1e400 is out of range");
  EXPECT_EQ(error.offset, text.find("1e400"));
  EXPECT_FALSE(ReadJson(R"([0, -1e999])", &error).has_value());
  EXPECT_EQ(error.json_path, "$[1]");
  EXPECT_FALSE(ReadJson(R"({"odd key": 1e400})", &error).has_value());
  EXPECT_EQ(error.json_path, R"($["odd key"])");
}

TEST(JsonReaderTest, DepthIsBoundedWithoutRecursion) {
  JsonReadError error;
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_FALSE(ReadJson(deep, &error, 8).has_value());
  EXPECT_EQ(error.reason, "nested deeper than 8 levels");
  EXPECT_EQ(error.json_path, "$[0][0][0][0][0][0][0][0]");
  EXPECT_FALSE(ReadJson(deep, &error).has_value());
  EXPECT_EQ(error.reason, "nested deeper than " + std::to_string(kMaxJsonReaderDepth) + " levels");
  EXPECT_TRUE(ReadJson(std::string(8, '[') + std::string(8, ']'), &error, 8).has_value());
}

TEST(JsonReaderTest, SyntaxErrorsHaveOffsetAndPath) {
  JsonReadError error;
  EXPECT_FALSE(ReadJson(R"({"a": [1, 2,, 3]})", &error).has_value());
  EXPECT_EQ(error.json_path, "$.a[2]");
  EXPECT_EQ(error.offset, 12u);
  EXPECT_NE(error.reason.find("syntax error"), std::string::npos) << error.reason;
  EXPECT_FALSE(ReadJson("{} trailing", &error).has_value());
  EXPECT_FALSE(ReadJson("", &error).has_value());
}

}  // namespace
}  // namespace sysfence::formats
