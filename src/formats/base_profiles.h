// SPDX-License-Identifier: Apache-2.0
// The container runtimes' base profiles shipped with sysfence (data/base-profiles/*.sfp, built
// into the library): what runc or crun itself calls after it installs a container's filter. A
// profile recorded from a running container needs its runtime's base to start the container; a
// Security Profiles Operator profile names it in `baseProfileName` (docs/containers.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::formats {

/// The bundled bases' names, sorted: "crun-v1.8.x", "runc-v1.1.x".
std::vector<std::string> BaseProfileNames();

/// The bundled base a name means: a bundled name itself, a runtime and version as SPO writes it
/// ("runc-v1.1.5" → "runc-v1.1.x"), or a runtime alone ("runc"); nullopt when none fits.
std::optional<std::string> ResolveBaseProfileName(std::string_view name);

/// The .sfp text of the bundled base `name` (as ResolveBaseProfileName resolves it); nullopt when none.
std::optional<std::string_view> BaseProfileText(std::string_view name);

/// The bundled base `name` as a policy. kNotFound (naming the bundled bases) when there is none.
Result<policy::Policy> LoadBaseProfile(std::string_view name);

/// The syscall names the bundled base `name` allows, sorted. kNotFound when there is none.
Result<std::vector<std::string>> BaseProfileSyscalls(std::string_view name);

/// `policy` with the bundled base `name` added, keeping its rules and their comments: the base's
/// syscalls that `policy` does not allow unconditionally get one `allow` rule, commented with the
/// base's name, before the first rule that does not allow (rules apply first-match), and are
/// removed from the targets of denying rules (a generated `errno ENOSYS faccessat2` would hide
/// the base's faccessat2). kNotFound when there is no such base.
Result<policy::Policy> WithBaseProfile(const policy::Policy& policy, std::string_view name);

}  // namespace sysfence::formats
