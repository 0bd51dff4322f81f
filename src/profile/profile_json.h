// SPDX-License-Identifier: Apache-2.0
// A Profile as JSON (what `sysfence record --json` writes and `sysfence merge` reads back).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "profile/profile.h"

namespace sysfence::profile {

/// Version of the JSON layout written by ProfileToJson.
inline constexpr int kProfileJsonVersion = 1;

/// The profile as a JSON object (keys: "sysfence_profile", "backend", "kernel", "arch", "command",
/// "syscalls" [...], "executables", "paths", ...). Argument values carry their symbolic names.
nlohmann::json ProfileToJson(const Profile& profile);

/// Reads a profile written by ProfileToJson; `file` names the input in errors, which carry the JSON
/// path of the offending value ("profile.json: $.syscalls[3].count: expected a number").
Result<Profile> ProfileFromJson(std::string_view text, std::string_view file);

/// True when `text` looks like a profile (a JSON object with "sysfence_profile"), not a policy.
bool LooksLikeProfileJson(std::string_view text);

}  // namespace sysfence::profile
