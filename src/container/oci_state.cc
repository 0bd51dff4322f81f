// SPDX-License-Identifier: Apache-2.0
#include "container/oci_state.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sysfence::container {
namespace {

using Json = nlohmann::json;

Error BadState(const std::string& path, const std::string& message) {
  return MakeError(ErrorCode::kInvalidInput, "container state " + path + ": " + message);
}

Result<std::string> RequiredString(const Json& root, const char* name) {
  const auto it = root.find(name);
  if (it == root.end()) return BadState(std::string("$.") + name, "missing");
  if (!it->is_string()) return BadState(std::string("$.") + name, "expected a string");
  return it->get<std::string>();
}

// Reads an "annotations" object into `out` (strings only), naming `where` in errors.
Result<void> ReadAnnotations(const Json& root, const std::string& where, std::map<std::string, std::string>& out) {
  const auto it = root.find("annotations");
  if (it == root.end() || it->is_null()) return Ok();
  if (!it->is_object()) return MakeError(ErrorCode::kInvalidInput, where + " $.annotations: expected an object");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) {
      return MakeError(ErrorCode::kInvalidInput, where + " $.annotations." + key + ": expected a string");
    }
    out.emplace(key, value.get<std::string>());
  }
  return Ok();
}

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Result<ContainerState> ParseOciState(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return BadState("$", "standard input is empty (an OCI runtime passes the container state as JSON)");
  }
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::parse_error& error) {
    return BadState("$", "not JSON at byte " + std::to_string(error.byte) + " (" + error.what() + ")");
  }
  if (!root.is_object()) return BadState("$", "expected an object");
  ContainerState state;
  for (auto [field, name] : {std::pair{&state.oci_version, "ociVersion"}, std::pair{&state.id, "id"},
                             std::pair{&state.status, "status"}, std::pair{&state.bundle, "bundle"}}) {
    Result<std::string> value = RequiredString(root, name);
    if (!value.ok()) return value.error();
    *field = value.value();
  }
  if (state.bundle.empty() || state.bundle.front() != '/') return BadState("$.bundle", "expected an absolute path");
  if (const auto pid = root.find("pid"); pid != root.end()) {
    if (!pid->is_number_integer() || pid->get<long long>() <= 0 || pid->get<long long>() > INT32_MAX) {
      return BadState("$.pid", "expected a positive integer");
    }
    state.pid = static_cast<pid_t>(pid->get<long long>());
  }
  if (auto read = ReadAnnotations(root, "container state", state.annotations); !read.ok()) return read.error();
  return state;
}

std::optional<ProfileFormat> ProfileFormatOf(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() > suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".sfp")) return ProfileFormat::kSfp;
  if (ends_with(".json")) return ProfileFormat::kOciJson;
  if (ends_with(".yaml") || ends_with(".yml")) return ProfileFormat::kKubernetesYaml;
  return std::nullopt;
}

Result<std::optional<RecordRequest>> ReadRecordRequest(const ContainerState& state) {
  std::map<std::string, std::string> annotations = state.annotations;
  const std::string config_path = state.bundle + "/config.json";
  std::ifstream config_file(config_path);
  if (!config_file) return MakeError(ErrorCode::kInvalidInput, "cannot read the bundle's " + config_path);
  std::stringstream text;
  text << config_file.rdbuf();
  Json config;
  try {
    config = Json::parse(text.str());
  } catch (const Json::parse_error& error) {
    return MakeError(ErrorCode::kInvalidInput, config_path + ": not JSON (" + error.what() + ")");
  }
  if (!config.is_object()) return MakeError(ErrorCode::kInvalidInput, config_path + " $: expected an object");
  if (auto read = ReadAnnotations(config, config_path, annotations); !read.ok()) return read.error();
  const auto it = annotations.find(std::string(kRecordAnnotation));
  if (it == annotations.end()) return std::optional<RecordRequest>();
  const std::string& path = it->second;
  const std::string what = "annotation " + std::string(kRecordAnnotation) + "='" + path + "'";
  if (path.empty() || path.front() != '/') {
    return MakeError(ErrorCode::kInvalidInput, what + ": the profile's path must be absolute (the hook runs in the "
                                                      "runtime's working directory, not yours)");
  }
  const std::optional<ProfileFormat> format = ProfileFormatOf(path);
  if (!format) {
    return MakeError(ErrorCode::kInvalidInput,
                     what + ": unknown extension (.sfp: sysfence policy, .json: OCI/Docker profile, .yaml: Kubernetes "
                            "SeccompProfile)");
  }
  // Never through a link: whoever sets the annotation must not make root write elsewhere.
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidInput,
                     what + ": exists and is not a regular file (the hook never writes through a symlink or device)");
  }
  const std::string folder = FolderOf(path);
  if (access(folder.c_str(), F_OK) != 0) {
    return MakeError(ErrorCode::kInvalidInput, what + ": folder '" + folder + "' does not exist");
  }
  // A real write, not access(2): root passes access() on read-only mounts and immutable folders.
  std::string probe = folder + "/.sysfence-hook-XXXXXX";
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    return MakeError(ErrorCode::kPermission,
                     what + ": folder '" + folder + "' is not writable (" + std::strerror(errno) + ")");
  }
  close(fd);
  unlink(probe.c_str());
  RecordRequest request{path, *format, {}};
  if (const auto process = config.find("process"); process != config.end() && process->is_object()) {
    if (const auto args = process->find("args"); args != process->end() && args->is_array()) {
      for (const Json& arg : *args) {
        if (arg.is_string()) request.process_args.push_back(arg.get<std::string>());
      }
    }
  }
  return std::optional<RecordRequest>(request);
}

Result<void> CheckRecordableState(const ContainerState& state) {
  if (state.status != "creating" && state.status != "created") {
    return MakeError(ErrorCode::kInvalidInput,
                     "container " + state.id + " is '" + state.status +
                         "': recording must start before its program does (run the hook at prestart or "
                         "createRuntime, where the status is 'creating' or 'created')");
  }
  if (state.pid <= 0) {
    return MakeError(ErrorCode::kInvalidInput, "container state $.pid: missing (the runtime gave no init process)");
  }
  if (kill(state.pid, 0) != 0 && errno == ESRCH) {
    return MakeError(ErrorCode::kNotFound,
                     "container " + state.id + ": its init process " + std::to_string(state.pid) + " is gone");
  }
  return Ok();
}

}  // namespace sysfence::container
