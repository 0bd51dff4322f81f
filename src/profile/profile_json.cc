// SPDX-License-Identifier: Apache-2.0
#include "profile/profile_json.h"

#include <string>

#include "fmt/format.h"
#include "formats/json_reader.h"
#include "syscalls/arg_meanings.h"
#include "syscalls/syscalls.h"

namespace sysfence::profile {
namespace {

using nlohmann::json;

// The recorded values of argument `index` of `record` as sysfence names them (hex where no constant
// fits); empty when the table gives the argument no meaning.
json DecodedValues(const SyscallRecord& record, int index, const ArgValues& values) {
  const std::span<const syscalls::ArgInfo> signature = syscalls::ArgsOfOn(record.arch, record.name);
  if (static_cast<size_t>(index) >= signature.size()) return nullptr;
  const std::optional<syscalls::ArgMeaning> meaning = syscalls::TableMeaningOf(record.name, signature[index].name);
  if (!meaning || !meaning->recorded) return nullptr;
  const std::optional<uint64_t> selector =
      meaning->depends_on.empty() ? std::nullopt : SingleValueOf(record, meaning->depends_on);
  json names = json::array();
  for (uint64_t value : values.values) names.push_back(syscalls::DescribeArgValue(*meaning, value, selector));
  return names;
}

// A reader that keeps the JSON path of what it looks at, for errors.
class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  Error Fail(const std::string& path, const std::string& what) const {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: {}: {}", file_, path, what));
  }

  template <typename T>
  Result<T> Get(const json& object, const std::string& path, const char* key, bool required, T fallback) const {
    const std::string here = path + "." + key;
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) return Fail(here, "missing");
      return fallback;
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return Fail(here, "expected a string");
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) return Fail(here, "expected true or false");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!it->is_number()) return Fail(here, "expected a number");
    } else {
      if (!it->is_number_unsigned() && !(it->is_number_integer() && it->template get<int64_t>() >= 0)) {
        return Fail(here, "expected a non-negative integer");
      }
    }
    return it->template get<T>();
  }

 private:
  std::string file_;
};

#define SF_TRY_ASSIGN(lhs, expr)        \
  do {                                  \
    auto sf_result_ = (expr);           \
    if (!sf_result_.ok()) return sf_result_.error(); \
    lhs = std::move(sf_result_.value()); \
  } while (0)

}  // namespace

json ProfileToJson(const Profile& profile) {
  json out = json::object();
  out["sysfence_profile"] = kProfileJsonVersion;
  out["backend"] = profile.backend;
  out["kernel"] = profile.kernel_release;
  out["arch"] = std::string(ArchName(profile.native_arch));
  out["command"] = profile.command;
  if (profile.attached_pid != 0) out["attached_pid"] = profile.attached_pid;
  out["duration_ms"] = profile.duration_ms;
  out["process_images"] = profile.process_images;
  out["recordings"] = profile.recordings;
  out["errors_known"] = profile.errors_known;
  out["paths_known"] = profile.paths_known;
  if (profile.fds_known) out["highest_fd"] = profile.highest_fd;
  out["total_calls"] = TotalCalls(profile);
  json syscalls = json::array();
  for (const SyscallRecord& record : profile.syscalls) {
    json entry = {{"arch", std::string(ArchName(record.arch))},
                  {"name", record.name},
                  {"nr", record.number},
                  {"count", record.count},
                  {"errors", record.errors},
                  {"first_ms", record.first_ms},
                  {"last_ms", record.last_ms},
                  {"processes", record.processes},
                  {"startup_only", record.startup_only}};
    if (!record.args.empty()) {
      json args = json::array();
      const auto signature = syscalls::ArgsOfOn(record.arch, record.name);
      for (const auto& [index, values] : record.args) {
        json arg = {{"index", index}, {"values", json(std::vector<uint64_t>(values.values.begin(), values.values.end()))},
                    {"overflow", values.overflow}};
        if (static_cast<size_t>(index) < signature.size()) arg["name"] = std::string(signature[index].name);
        if (json names = DecodedValues(record, index, values); !names.is_null()) arg["decoded"] = std::move(names);
        args.push_back(arg);
      }
      entry["args"] = args;
    }
    syscalls.push_back(entry);
  }
  out["syscalls"] = syscalls;
  out["executables"] = profile.executables;
  json paths = json::object();
  for (const auto& [path, access] : profile.paths) paths[path] = access;
  out["paths"] = paths;
  if (!profile.timeline.calls.empty()) {
    out["timeline"] = {{"interval_ns", profile.timeline.interval_ns}, {"calls", profile.timeline.calls}};
  }
  if (!profile.processes.empty()) {
    json processes = json::array();
    for (const ProcessNode& node : profile.processes) {
      processes.push_back({{"pid", node.pid}, {"parent", node.parent}, {"name", node.name}, {"calls", node.calls}});
    }
    out["processes"] = processes;
  }
  return out;
}

bool LooksLikeProfileJson(std::string_view text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() && parsed.contains("sysfence_profile");
}

namespace {

// The values recorded for one argument ($.syscalls[i].args[j]), merged into `record`.
Result<bool> ReadArg(const Reader& reader, const json& arg, const std::string& arg_path, SyscallRecord& record) {
  if (!arg.is_object()) return reader.Fail(arg_path, "expected an object");
  uint64_t index = 0;
  SF_TRY_ASSIGN(index, reader.Get<uint64_t>(arg, arg_path, "index", true, 0));
  if (index > 5) return reader.Fail(arg_path + ".index", "argument index must be 0..5");
  ArgValues values;
  SF_TRY_ASSIGN(values.overflow, reader.Get<bool>(arg, arg_path, "overflow", false, false));
  auto values_it = arg.find("values");
  if (values_it == arg.end() || !values_it->is_array()) {
    return reader.Fail(arg_path + ".values", "expected an array of numbers");
  }
  for (size_t k = 0; k < values_it->size(); ++k) {
    const json& value = (*values_it)[k];
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
      return reader.Fail(fmt::format("{}.values[{}]", arg_path, k), "expected a non-negative integer");
    }
    values.Add(value.get<uint64_t>());
  }
  record.args[static_cast<int>(index)].Merge(values);
  return true;
}

// One entry of $.syscalls: its ABI, a name that is its number's (or "nr<N>" for numbers no table
// names), counts, times and argument values.
Result<SyscallRecord> ReadSyscall(const Reader& reader, const json& entry, const std::string& path) {
  if (!entry.is_object()) return reader.Fail(path, "expected an object");
  SyscallRecord record;
  std::string record_arch;
  SF_TRY_ASSIGN(record_arch, reader.Get<std::string>(entry, path, "arch", true, ""));
  auto parsed_arch = ArchFromName(record_arch);
  if (!parsed_arch) return reader.Fail(path + ".arch", "unknown architecture '" + record_arch + "'");
  record.arch = *parsed_arch;
  SF_TRY_ASSIGN(record.name, reader.Get<std::string>(entry, path, "name", true, ""));
  uint64_t nr = 0;
  SF_TRY_ASSIGN(nr, reader.Get<uint64_t>(entry, path, "nr", true, 0));
  record.number = static_cast<uint32_t>(nr);
  if (!syscalls::IsKnownName(record.name) && record.name != fmt::format("nr{}", record.number)) {
    return reader.Fail(path + ".name", fmt::format("unknown syscall '{}'", record.name));
  }
  if (auto known = syscalls::NameOf(record.arch, record.number); known && *known != record.name) {
    return reader.Fail(path + ".name", fmt::format("'{}' is not syscall {} on {} (that is '{}')", record.name,
                                                   record.number, ArchName(record.arch), *known));
  }
  SF_TRY_ASSIGN(record.count, reader.Get<uint64_t>(entry, path, "count", true, 0));
  SF_TRY_ASSIGN(record.errors, reader.Get<uint64_t>(entry, path, "errors", false, 0));
  SF_TRY_ASSIGN(record.first_ms, reader.Get<double>(entry, path, "first_ms", false, 0.0));
  SF_TRY_ASSIGN(record.last_ms, reader.Get<double>(entry, path, "last_ms", false, 0.0));
  SF_TRY_ASSIGN(record.processes, reader.Get<uint64_t>(entry, path, "processes", false, 1));
  SF_TRY_ASSIGN(record.startup_only, reader.Get<bool>(entry, path, "startup_only", false, false));
  if (auto args_it = entry.find("args"); args_it != entry.end()) {
    if (!args_it->is_array()) return reader.Fail(path + ".args", "expected an array");
    for (size_t j = 0; j < args_it->size(); ++j) {
      Result<bool> read = ReadArg(reader, (*args_it)[j], fmt::format("{}.args[{}]", path, j), record);
      if (!read.ok()) return read.error();
    }
  }
  return record;
}

// The recording's own fields: version, backend, kernel, ABI, command and totals.
Result<bool> ReadHeader(const Reader& reader, const json& root, Profile& profile) {
  if (!root.contains("sysfence_profile")) {
    return reader.Fail("$.sysfence_profile", "missing: not a recording (write one with `sysfence record --json FILE`)");
  }
  uint64_t version = 0;
  SF_TRY_ASSIGN(version, reader.Get<uint64_t>(root, "$", "sysfence_profile", true, 0));
  if (version != kProfileJsonVersion) {
    return reader.Fail("$.sysfence_profile", fmt::format("unsupported recording version {} (expected {})", version,
                                                         kProfileJsonVersion));
  }
  SF_TRY_ASSIGN(profile.backend, reader.Get<std::string>(root, "$", "backend", true, ""));
  SF_TRY_ASSIGN(profile.kernel_release, reader.Get<std::string>(root, "$", "kernel", false, ""));
  std::string arch_name;
  SF_TRY_ASSIGN(arch_name, reader.Get<std::string>(root, "$", "arch", true, ""));
  auto arch = ArchFromName(arch_name);
  if (!arch) return reader.Fail("$.arch", "unknown architecture '" + arch_name + "'");
  profile.native_arch = *arch;
  if (auto it = root.find("command"); it != root.end()) {
    if (!it->is_array()) return reader.Fail("$.command", "expected an array of strings");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) return reader.Fail(fmt::format("$.command[{}]", i), "expected a string");
      profile.command.push_back((*it)[i].get<std::string>());
    }
  }
  uint64_t pid = 0;
  SF_TRY_ASSIGN(pid, reader.Get<uint64_t>(root, "$", "attached_pid", false, 0));
  profile.attached_pid = static_cast<int>(pid);
  SF_TRY_ASSIGN(profile.duration_ms, reader.Get<double>(root, "$", "duration_ms", false, 0.0));
  SF_TRY_ASSIGN(profile.process_images, reader.Get<uint64_t>(root, "$", "process_images", false, 0));
  uint64_t recordings = 1;
  SF_TRY_ASSIGN(recordings, reader.Get<uint64_t>(root, "$", "recordings", false, 1));
  profile.recordings = static_cast<int>(recordings);
  SF_TRY_ASSIGN(profile.errors_known, reader.Get<bool>(root, "$", "errors_known", false, false));
  SF_TRY_ASSIGN(profile.paths_known, reader.Get<bool>(root, "$", "paths_known", false, false));
  if (root.contains("highest_fd")) {
    SF_TRY_ASSIGN(profile.highest_fd, reader.Get<int64_t>(root, "$", "highest_fd", false, int64_t{-1}));
    if (profile.highest_fd < -1) return reader.Fail("$.highest_fd", "expected -1 or a file descriptor number");
    profile.fds_known = true;
  }
  return true;
}

// $.executables and $.paths.
Result<bool> ReadFiles(const Reader& reader, const json& root, Profile& profile) {
  if (auto it = root.find("executables"); it != root.end()) {
    if (!it->is_array()) return reader.Fail("$.executables", "expected an array of strings");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) return reader.Fail(fmt::format("$.executables[{}]", i), "expected a string");
      profile.executables.push_back((*it)[i].get<std::string>());
    }
    std::sort(profile.executables.begin(), profile.executables.end());
  }
  if (auto it = root.find("paths"); it != root.end()) {
    if (!it->is_object()) return reader.Fail("$.paths", "expected an object of path: access bits");
    for (const auto& [path, access] : it->items()) {
      if (!access.is_number_unsigned()) return reader.Fail("$.paths[\"" + path + "\"]", "expected access bits");
      profile.paths[path] = access.get<uint32_t>();
    }
  }
  return true;
}

// $.timeline (optional: recordings before it existed have none).
Result<bool> ReadTimeline(const Reader& reader, const json& root, Profile& profile) {
  auto it = root.find("timeline");
  if (it == root.end()) return true;
  if (!it->is_object()) return reader.Fail("$.timeline", "expected an object with interval_ns and calls");
  SF_TRY_ASSIGN(profile.timeline.interval_ns, reader.Get<uint64_t>(*it, "$.timeline", "interval_ns", true, 0));
  if (profile.timeline.interval_ns == 0) return reader.Fail("$.timeline.interval_ns", "must be positive");
  auto calls = it->find("calls");
  if (calls == it->end() || !calls->is_array()) return reader.Fail("$.timeline.calls", "expected an array of counts");
  if (calls->size() > kMaxTimelineIntervals) {
    return reader.Fail("$.timeline.calls", fmt::format("more than {} intervals", kMaxTimelineIntervals));
  }
  for (size_t i = 0; i < calls->size(); ++i) {
    if (!(*calls)[i].is_number_unsigned()) {
      return reader.Fail(fmt::format("$.timeline.calls[{}]", i), "expected a non-negative integer");
    }
    profile.timeline.calls.push_back((*calls)[i].get<uint64_t>());
  }
  return true;
}

// $.processes (optional): the recorded process tree.
Result<bool> ReadProcesses(const Reader& reader, const json& root, Profile& profile) {
  auto it = root.find("processes");
  if (it == root.end()) return true;
  if (!it->is_array()) return reader.Fail("$.processes", "expected an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string path = fmt::format("$.processes[{}]", i);
    const json& entry = (*it)[i];
    if (!entry.is_object()) return reader.Fail(path, "expected an object");
    ProcessNode node;
    uint64_t pid = 0, parent = 0;
    SF_TRY_ASSIGN(pid, reader.Get<uint64_t>(entry, path, "pid", true, 0));
    SF_TRY_ASSIGN(parent, reader.Get<uint64_t>(entry, path, "parent", false, 0));
    if (pid == 0 || pid > INT32_MAX || parent > INT32_MAX) return reader.Fail(path + ".pid", "not a process id");
    node.pid = static_cast<int>(pid);
    node.parent = static_cast<int>(parent);
    SF_TRY_ASSIGN(node.name, reader.Get<std::string>(entry, path, "name", false, ""));
    SF_TRY_ASSIGN(node.calls, reader.Get<uint64_t>(entry, path, "calls", false, 0));
    profile.processes.push_back(std::move(node));
  }
  std::sort(profile.processes.begin(), profile.processes.end(),
            [](const ProcessNode& a, const ProcessNode& b) { return a.pid < b.pid; });
  return true;
}

}  // namespace

Result<Profile> ProfileFromJson(std::string_view text, std::string_view file) {
  Reader reader(file);
  formats::JsonReadError failure;
  std::optional<json> parsed = formats::ReadJson(text, &failure);
  if (!parsed) {
    const bool syntax = failure.kind == formats::JsonReadError::Kind::kSyntax;
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: offset {}: {}: {}{}", file, failure.offset,
                                                           failure.json_path, syntax ? "not valid JSON: " : "",
                                                           failure.reason));
  }
  const json root = std::move(*parsed);
  if (!root.is_object()) return reader.Fail("$", "expected an object");
  Profile profile;
  if (Result<bool> header = ReadHeader(reader, root, profile); !header.ok()) return header.error();
  auto syscalls_it = root.find("syscalls");
  if (syscalls_it == root.end()) return reader.Fail("$.syscalls", "missing");
  if (!syscalls_it->is_array()) return reader.Fail("$.syscalls", "expected an array");
  for (size_t i = 0; i < syscalls_it->size(); ++i) {
    Result<SyscallRecord> record = ReadSyscall(reader, (*syscalls_it)[i], fmt::format("$.syscalls[{}]", i));
    if (!record.ok()) return record.error();
    profile.syscalls.push_back(std::move(*record));
  }
  std::sort(profile.syscalls.begin(), profile.syscalls.end(), [](const SyscallRecord& a, const SyscallRecord& b) {
    return std::tie(a.arch, a.name) < std::tie(b.arch, b.name);
  });
  if (Result<bool> files = ReadFiles(reader, root, profile); !files.ok()) return files.error();
  if (Result<bool> timeline = ReadTimeline(reader, root, profile); !timeline.ok()) return timeline.error();
  if (Result<bool> tree = ReadProcesses(reader, root, profile); !tree.ok()) return tree.error();
  return profile;
}

}  // namespace sysfence::profile
