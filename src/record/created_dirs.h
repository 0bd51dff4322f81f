// SPDX-License-Identifier: Apache-2.0
// Folders the recorded program created itself: a fresh run starts without them, and Landlock
// cannot name a missing path, so what was done inside them is granted on the folder that existed
// before (Landlock rights on a folder reach everything beneath it).
#pragma once

#include <cstdint>

#include "profile/profile.h"

namespace sysfence::record {

/// A bit the path capture sets on a folder that mkdir creates (beyond every policy::FsAccess bit);
/// FoldCreatedDirectories removes it before anything else reads the profile.
inline constexpr uint32_t kFsCreatedDirMarker = 1u << 31;

/// Moves every path at or below a folder marked kFsCreatedDirMarker (the topmost of a chain of
/// created folders) to that folder's parent, uniting the rights there, and removes the marks.
void FoldCreatedDirectories(profile::Profile& recording);

}  // namespace sysfence::record
