// SPDX-License-Identifier: Apache-2.0
// What an OCI runtime tells a hook (the runtime spec's "State", JSON on the hook's standard input)
// and what sysfence's hook makes of it: whether the container asks to be recorded
// (`org.sysfence.record` = an absolute path), and where and in which format the profile goes.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sysfence::container {

/// The annotation that asks for a recording; its value is where the profile is written.
inline constexpr std::string_view kRecordAnnotation = "org.sysfence.record";

/// The container state a runtime passes to its hooks (runtime-spec, "State").
struct ContainerState {
  std::string oci_version;
  std::string id;
  std::string status;  ///< creating, created, running, stopped
  pid_t pid = 0;       ///< the container's init in the runtime's (host) pid namespace; 0 when absent
  std::string bundle;  ///< absolute path of the bundle (its config.json)
  std::map<std::string, std::string> annotations;
};

/// Parses the state JSON. kInvalidInput with the JSON path of the first problem ("$.pid: ...")
/// when it is not JSON, not an object, or a required member (ociVersion, id, status, bundle) is
/// missing or of the wrong type; pid must be a positive integer when present.
Result<ContainerState> ParseOciState(std::string_view text);

/// The profile formats a recording is written in, chosen by the file's extension.
enum class ProfileFormat { kSfp, kOciJson, kKubernetesYaml };

/// .sfp, .json or .yaml/.yml; nullopt for anything else.
std::optional<ProfileFormat> ProfileFormatOf(std::string_view path);

/// A container's request to be recorded.
struct RecordRequest {
  std::string output;  ///< absolute path of the profile
  ProfileFormat format = ProfileFormat::kSfp;
  std::vector<std::string> process_args;  ///< the container's program (config.json process.args)
};

/// Reads the request from the state's annotations and the bundle's config.json annotations (the
/// state's win): nullopt when the container does not ask. kInvalidInput when config.json cannot
/// be read or parsed, the path is relative, its extension is unknown, or its folder is missing;
/// kPermission when the folder cannot be written.
Result<std::optional<RecordRequest>> ReadRecordRequest(const ContainerState& state);

/// Checks that the state is one a recording can start from: the container exists and its program
/// has not started (status creating or created: the prestart or createRuntime stage) and its
/// init process is alive. kInvalidInput naming the stage otherwise.
Result<void> CheckRecordableState(const ContainerState& state);

}  // namespace sysfence::container
