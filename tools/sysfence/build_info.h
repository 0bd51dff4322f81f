// SPDX-License-Identifier: Apache-2.0
// What `sysfence --version` prints: the release and the git commit it was built from, written at
// build time by cmake/BuildInfo.cmake.
#pragma once

namespace sysfence::cli {

/// The release (the CMake project version), e.g. "0.1.0".
extern const char kBuildVersion[];
/// The git commit built ("0123456789ab", with "-dirty" when tracked files had uncommitted changes),
/// or "unknown" outside a git checkout.
extern const char kBuildCommit[];

}  // namespace sysfence::cli
