// SPDX-License-Identifier: Apache-2.0
#include "run/events_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "formats/json_reader.h"
#include "run/observed_call.h"

namespace sysfence::run {
namespace {

constexpr std::string_view kRefusedOutcomes[] = {"denied", "continued", "killed", "thread-killed", "trapped",
                                                 "aborted"};

Error LineError(const std::string& path, size_t line, const std::string& what) {
  return Error{ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path, line, what)};
}

constexpr std::string_view kLandlockOutcomes[] = {"continued", "denied", "aborted"};

// "reported at PATH:LINE (MODE, COMM)": the comment of the rule an event leads to.
std::string OriginOf(const nlohmann::json& event, const std::string& path, size_t line) {
  std::string origin = fmt::format("reported at {}:{}", path, line);
  auto mode = event.find("mode");
  auto comm = event.find("comm");
  if (mode != event.end() && mode->is_string() && comm != event.end() && comm->is_string()) {
    origin += fmt::format(" ({}, {})", mode->get<std::string>(), comm->get<std::string>());
  }
  return origin;
}

DecodedArg::Kind KindFromName(const std::string& kind) {
  if (kind == "constant") return DecodedArg::Kind::kConstant;
  if (kind == "flags") return DecodedArg::Kind::kFlags;
  if (kind == "fd") return DecodedArg::Kind::kFd;
  if (kind == "path") return DecodedArg::Kind::kPath;
  if (kind == "pointer") return DecodedArg::Kind::kPointer;
  return DecodedArg::Kind::kNumber;
}

// One syscall event as a call; nullopt when the policy let it through (a `log` rule).
Result<std::optional<policy::ObservedCall>> CallFromEvent(const nlohmann::json& event, const std::string& path,
                                                          size_t line) {
  auto string_field = [&](const char* name) -> Result<std::string> {
    auto it = event.find(name);
    if (it == event.end() || !it->is_string()) {
      return LineError(path, line, fmt::format("$.{}: missing or not a string", name));
    }
    return it->get<std::string>();
  };
  auto outcome = string_field("outcome");
  if (!outcome.ok()) return outcome.error();
  if (std::find(std::begin(kRefusedOutcomes), std::end(kRefusedOutcomes), *outcome) == std::end(kRefusedOutcomes)) {
    if (*outcome == "allowed") return std::optional<policy::ObservedCall>();
    return LineError(path, line, fmt::format("$.outcome: unknown outcome '{}'", *outcome));
  }
  auto syscall = string_field("syscall");
  if (!syscall.ok()) return syscall.error();
  if (syscall->empty()) return std::optional<policy::ObservedCall>();  // a number with no name: no rule can name it
  auto arch_name = string_field("arch");
  if (!arch_name.ok()) return arch_name.error();
  const auto arch = ArchFromName(*arch_name);
  if (!arch) return LineError(path, line, fmt::format("$.arch: unknown ABI '{}'", *arch_name));
  auto args_it = event.find("args");
  if (args_it == event.end() || !args_it->is_array()) return LineError(path, line, "$.args: missing or not an array");
  std::vector<DecodedArg> args;
  for (size_t i = 0; i < args_it->size(); ++i) {
    const nlohmann::json& arg = (*args_it)[i];
    auto value = arg.is_object() ? arg.find("value") : arg.end();
    if (!arg.is_object() || value == arg.end() || !value->is_number_unsigned()) {
      return LineError(path, line, fmt::format("$.args[{}].value: missing or not an unsigned integer", i));
    }
    DecodedArg decoded;
    decoded.value = value->get<uint64_t>();
    if (auto kind = arg.find("kind"); kind != arg.end() && kind->is_string()) decoded.kind = KindFromName(*kind);
    if (auto text = arg.find("text"); text != arg.end() && text->is_string()) decoded.text = *text;
    args.push_back(std::move(decoded));
  }
  return std::optional<policy::ObservedCall>(ObservedCallFrom(*arch, *syscall, args, OriginOf(event, path, line)));
}

// Whether a landlock event's blockers name a right (fs.* or net.*), which a line could grant.
bool BlocksARight(const nlohmann::json& event) {
  auto landlock = event.find("landlock");
  if (landlock == event.end() || !landlock->is_object()) return false;
  auto blockers = landlock->find("blockers");
  if (blockers == landlock->end() || !blockers->is_array()) return false;
  return std::any_of(blockers->begin(), blockers->end(), [](const nlohmann::json& blocker) {
    return blocker.is_string() &&
           (blocker.get<std::string>().starts_with("fs.") || blocker.get<std::string>().starts_with("net."));
  });
}

// One landlock event as an access, from its `suggest` line; nullopt when no line can allow it.
Result<std::optional<policy::ObservedAccess>> AccessFromEvent(const nlohmann::json& event, const std::string& path,
                                                              size_t line) {
  auto outcome = event.find("outcome");
  if (outcome == event.end() || !outcome->is_string()) return LineError(path, line, "$.outcome: missing or not a string");
  if (std::find(std::begin(kLandlockOutcomes), std::end(kLandlockOutcomes), *outcome) == std::end(kLandlockOutcomes)) {
    return LineError(path, line, fmt::format("$.outcome: unknown outcome '{}' of a landlock event",
                                             outcome->get<std::string>()));
  }
  auto suggest = event.find("suggest");
  if (suggest != event.end() && suggest->is_null() && !BlocksARight(event)) {
    return std::optional<policy::ObservedAccess>();  // a wall of run's own, not a rule's right
  }
  if (suggest == event.end() || !suggest->is_string()) {
    return LineError(path, line, "$.suggest: missing or not a string (a landlock event names the fs or net line "
                                 "that would allow the access)");
  }
  auto access = policy::ObservedAccessFromLine(suggest->get<std::string>());
  if (!access.ok()) return LineError(path, line, "$.suggest: " + access.error().message);
  access->origin = OriginOf(event, path, line);
  return std::optional<policy::ObservedAccess>(std::move(*access));
}

}  // namespace

bool LooksLikeEvents(std::string_view text) {
  const std::string_view first = text.substr(0, text.find('\n'));
  formats::JsonReadError error;
  const auto json = formats::ReadJson(first, &error);
  if (!json || !json->is_object()) return false;
  auto type = json->find("type");
  return type != json->end() && type->is_string() &&
         (*type == "start" || *type == "syscall" || *type == "landlock" || *type == "summary");
}

Result<Reports> ReadReports(std::string_view text, const std::string& path) {
  Reports reports;
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    formats::JsonReadError error;
    const auto json = formats::ReadJson(line, &error);
    if (!json) return LineError(path, line_number, fmt::format("{}: {}", error.json_path, error.reason));
    if (!json->is_object()) return LineError(path, line_number, "$: an event is a JSON object");
    auto schema = json->find("schema");
    if (schema != json->end() && (!schema->is_number_unsigned() || schema->get<uint64_t>() > 2)) {
      return LineError(path, line_number, "$.schema: this sysfence reads events of schema 2 or older");
    }
    auto type = json->find("type");
    if (type == json->end() || !type->is_string()) return LineError(path, line_number, "$.type: missing or not a string");
    if (*type == "landlock") {
      auto access = AccessFromEvent(*json, path, line_number);
      if (!access.ok()) return access.error();
      if (access->has_value()) reports.accesses.push_back(std::move(**access));
      continue;
    }
    if (*type != "syscall") continue;
    auto call = CallFromEvent(*json, path, line_number);
    if (!call.ok()) return call.error();
    if (call->has_value()) reports.calls.push_back(std::move(**call));
  }
  return reports;
}

}  // namespace sysfence::run
