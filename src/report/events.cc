// SPDX-License-Identifier: Apache-2.0
#include "report/events.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "fmt/format.h"

namespace sysfence::report {
namespace {

using nlohmann::json;

Error LineError(const std::string& path, size_t line, const std::string& what) {
  return MakeError(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path, line, what));
}

}  // namespace

double ParseRfc3339(std::string_view time) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  const std::string text(time);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6 || consumed != 19) {
    return -1;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return -1;
  double fraction = 0, scale = 0.1;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10) {
      fraction += (text[at] - '0') * scale;
    }
  }
  if (at + 1 != text.size() || text[at] != 'Z') return -1;
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return static_cast<double>(timegm(&parts)) + fraction;
}

Result<std::vector<Violation>> ReadViolations(std::string_view text, const std::string& path) {
  std::vector<Violation> violations;
  double first = -1;
  size_t line_number = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) return LineError(path, line_number, "not a JSON object (an events file has one per line)");
    auto type = event.find("type");
    if (type == event.end() || !type->is_string()) return LineError(path, line_number, "$.type: missing");
    if (*type != "syscall") continue;
    Violation violation;
    for (const char* key : {"time", "rule", "outcome"}) {
      auto it = event.find(key);
      if (it == event.end() || !it->is_string()) {
        return LineError(path, line_number, fmt::format("$.{}: expected a string", key));
      }
    }
    const double seconds = ParseRfc3339(event["time"].get<std::string>());
    if (seconds < 0) return LineError(path, line_number, "$.time: expected an RFC 3339 UTC time");
    if (first < 0) first = seconds;
    violation.seconds = seconds - first;
    violation.rule = event["rule"].get<std::string>();
    violation.outcome = event["outcome"].get<std::string>();
    if (auto it = event.find("syscall"); it != event.end() && it->is_string()) violation.syscall = it->get<std::string>();
    if (auto it = event.find("comm"); it != event.end() && it->is_string()) violation.comm = it->get<std::string>();
    if (auto it = event.find("pid"); it != event.end() && it->is_number_integer()) violation.pid = it->get<int>();
    violations.push_back(std::move(violation));
  }
  return violations;
}

}  // namespace sysfence::report
